# APIs the deployment needs. Eventarc is deliberately absent: inbound is fed by our own push subscription
# (see pubsub.tf), not by an Eventarc trigger.
locals {
  required_apis = [
    "artifactregistry.googleapis.com",     # images built for gen2 functions
    "cloudbuild.googleapis.com",           # builds the function sources
    "cloudfunctions.googleapis.com",       # the four functions
    "cloudscheduler.googleapis.com",       # the reconcile job
    "cloudresourcemanager.googleapis.com", # data "google_project" (project number for the Pub/Sub service agent)
    "cloudtasks.googleapis.com",           # the rbm-campaigns queue
    "firestore.googleapis.com",            # message state
    "iam.googleapis.com",                  # service accounts
    "iamcredentials.googleapis.com",       # OIDC tokens minted for the push subscription
    "logging.googleapis.com",              # build logs; the request-log exclusions (monitoring.tf)
    "monitoring.googleapis.com",           # alert policies (monitoring.tf)
    "pubsub.googleapis.com",               # topics and subscriptions
    "run.googleapis.com",                  # gen2 functions run as Cloud Run services
    "secretmanager.googleapis.com",        # RBM key and webhook client token
    "storage.googleapis.com",              # source bucket
  ]
}

resource "google_project_service" "required" {
  for_each = toset(local.required_apis)

  project = var.project_id
  service = each.value

  # Other workloads in the project may use these APIs too: never switch them off on destroy.
  disable_on_destroy         = false
  disable_dependent_services = false
}

data "google_project" "this" {
  project_id = var.project_id

  depends_on = [google_project_service.required]
}
