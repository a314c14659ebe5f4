# The (default) Firestore database in native mode, holding all state (docs/data-model.md).
#
# A project has one (default) database. If it already exists (created in the console, by gcloud or by App
# Engine), import it before the first apply instead of creating it:
#   terraform import google_firestore_database.default "projects/PROJECT_ID/databases/(default)"
resource "google_firestore_database" "default" {
  project     = var.project_id
  name        = "(default)"
  location_id = coalesce(var.firestore_location_id, var.region)
  type        = "FIRESTORE_NATIVE"

  # The functions use no transactions: concurrent state changes are optimistic writes with an update-time
  # precondition (shared/store/optimistic.ts). PESSIMISTIC is the server default and only governs transactions.
  concurrency_mode            = "PESSIMISTIC"
  app_engine_integration_mode = "DISABLED"

  # Message state is business data: terraform destroy leaves the database (and its data) in place.
  delete_protection_state = "DELETE_PROTECTION_ENABLED"
  deletion_policy         = "ABANDON"

  depends_on = [google_project_service.required]
}

# Operators' query for messages stuck before RBM accepted them:
#   agentMessages where state == "PENDING" order by updatedAt
resource "google_firestore_index" "agent_messages_by_state_and_update" {
  project     = var.project_id
  database    = google_firestore_database.default.name
  collection  = "agentMessages"
  query_scope = "COLLECTION"

  fields {
    field_path = "state"
    order      = "ASCENDING"
  }

  fields {
    field_path = "updatedAt"
    order      = "ASCENDING"
  }
}

# A conversation's user messages in order:
#   userMessages where phoneNumber == P order by sendTime
resource "google_firestore_index" "user_messages_by_phone_and_send_time" {
  project     = var.project_id
  database    = google_firestore_database.default.name
  collection  = "userMessages"
  query_scope = "COLLECTION"

  fields {
    field_path = "phoneNumber"
    order      = "ASCENDING"
  }

  fields {
    field_path = "sendTime"
    order      = "ASCENDING"
  }
}

# The query API's lists (shared/store/message-queries.ts), newest first; test/terraform/indexes.test.ts checks
# that every query shape there has its index here.

#   agentMessages where phoneNumber == P order by createdAt desc
resource "google_firestore_index" "agent_messages_by_phone_newest_created" {
  project     = var.project_id
  database    = google_firestore_database.default.name
  collection  = "agentMessages"
  query_scope = "COLLECTION"

  fields {
    field_path = "phoneNumber"
    order      = "ASCENDING"
  }

  fields {
    field_path = "createdAt"
    order      = "DESCENDING"
  }
}

#   agentMessages where phoneNumber == P and state == S order by createdAt desc
resource "google_firestore_index" "agent_messages_by_phone_and_state_newest_created" {
  project     = var.project_id
  database    = google_firestore_database.default.name
  collection  = "agentMessages"
  query_scope = "COLLECTION"

  fields {
    field_path = "phoneNumber"
    order      = "ASCENDING"
  }

  fields {
    field_path = "state"
    order      = "ASCENDING"
  }

  fields {
    field_path = "createdAt"
    order      = "DESCENDING"
  }
}

#   agentMessages where state == S [and updatedAt > T] order by updatedAt desc
resource "google_firestore_index" "agent_messages_by_state_newest_update" {
  project     = var.project_id
  database    = google_firestore_database.default.name
  collection  = "agentMessages"
  query_scope = "COLLECTION"

  fields {
    field_path = "state"
    order      = "ASCENDING"
  }

  fields {
    field_path = "updatedAt"
    order      = "DESCENDING"
  }
}

#   agentMessages where campaignId == C [and updatedAt > T] order by updatedAt desc
resource "google_firestore_index" "agent_messages_by_campaign_newest_update" {
  project     = var.project_id
  database    = google_firestore_database.default.name
  collection  = "agentMessages"
  query_scope = "COLLECTION"

  fields {
    field_path = "campaignId"
    order      = "ASCENDING"
  }

  fields {
    field_path = "updatedAt"
    order      = "DESCENDING"
  }
}

#   agentMessages where campaignId == C and state == S [and updatedAt > T] order by updatedAt desc
resource "google_firestore_index" "agent_messages_by_campaign_and_state_newest_update" {
  project     = var.project_id
  database    = google_firestore_database.default.name
  collection  = "agentMessages"
  query_scope = "COLLECTION"

  fields {
    field_path = "campaignId"
    order      = "ASCENDING"
  }

  fields {
    field_path = "state"
    order      = "ASCENDING"
  }

  fields {
    field_path = "updatedAt"
    order      = "DESCENDING"
  }
}

# A campaign's counts (shared/store/campaigns.ts): one aggregation per state,
#   count(agentMessages where campaignId == C and state == S)
resource "google_firestore_index" "agent_messages_by_campaign_and_state" {
  project     = var.project_id
  database    = google_firestore_database.default.name
  collection  = "agentMessages"
  query_scope = "COLLECTION"

  fields {
    field_path = "campaignId"
    order      = "ASCENDING"
  }

  fields {
    field_path = "state"
    order      = "ASCENDING"
  }
}

#   userMessages where phoneNumber == P order by sendTime desc
resource "google_firestore_index" "user_messages_by_phone_newest_send_time" {
  project     = var.project_id
  database    = google_firestore_database.default.name
  collection  = "userMessages"
  query_scope = "COLLECTION"

  fields {
    field_path = "phoneNumber"
    order      = "ASCENDING"
  }

  fields {
    field_path = "sendTime"
    order      = "DESCENDING"
  }
}

# Single-field index exemptions for fields nobody queries by and whose indexing only costs writes: message
# payloads (free text, nested RBM objects) and the raw bytes of rejected inbound payloads. An empty
# index_config removes the automatic single-field indexes of that field. Identity, state and timestamp fields
# keep their automatic indexes.
locals {
  firestore_unindexed_fields = {
    user_messages_text                = { collection = "userMessages", field = "text" }
    user_messages_user_file           = { collection = "userMessages", field = "userFile" }
    user_messages_location            = { collection = "userMessages", field = "location" }
    user_messages_suggestion_response = { collection = "userMessages", field = "suggestionResponse" }
    inbound_rejects_data              = { collection = "inboundRejects", field = "data" }
    campaigns_agent_message           = { collection = "campaigns", field = "agentMessageJson" }
    campaign_chunks_phone_numbers     = { collection = "chunks", field = "phoneNumbers" }
  }
}

resource "google_firestore_field" "unindexed" {
  for_each = local.firestore_unindexed_fields

  project    = var.project_id
  database   = google_firestore_database.default.name
  collection = each.value.collection
  field      = each.value.field

  index_config {}
}

# reconcile: PENDING records past the pending timeout, oldest first (state ==, createdAt <=, order by createdAt).
# Its other queries (agentMessages outboxSince and timerAt, consents unpublishedSince) are a range and an order
# on one field: single-field indexes cover them, so none of those fields may be exempted above.
resource "google_firestore_index" "agent_messages_pending_by_creation" {
  project     = var.project_id
  database    = google_firestore_database.default.name
  collection  = "agentMessages"
  query_scope = "COLLECTION"

  fields {
    field_path = "state"
    order      = "ASCENDING"
  }

  fields {
    field_path = "createdAt"
    order      = "ASCENDING"
  }
}
