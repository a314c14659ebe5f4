# Retention (docs/operations.md): Firestore TTL policies delete userMessages and agentMessages once their
# deleteAt has passed. The functions that create those documents write deleteAt = creation time + the
# retention below (RBM_USER_MESSAGE_RETENTION_DAYS, RBM_AGENT_MESSAGE_RETENTION_DAYS in functions.tf), so
# changing a retention applies to documents created from then on.
locals {
  firestore_ttl_fields = {
    agent_messages = { collection = "agentMessages", field = "deleteAt" }
    user_messages  = { collection = "userMessages", field = "deleteAt" }
  }
}

resource "google_firestore_field" "ttl" {
  for_each = local.firestore_ttl_fields

  project    = var.project_id
  database   = google_firestore_database.default.name
  collection = each.value.collection
  field      = each.value.field

  ttl_config {}

  # Nobody queries deleteAt, and a steadily increasing timestamp with an index hot-spots writes: no
  # single-field indexes.
  index_config {}
}
