# One base URL for the RBM-compatible and project routes (docs/gateway.md): Google Cloud API Gateway in front of
# the functions, so code written for the RBM API needs its root URL and an API key, not one URL and one ID
# token per function. Everything here exists only with enable_gateway (default true).
#
# The API config is dist/gateway/openapi2.yaml, which `npm run build` renders from docs/openapi.yaml (the
# OpenAPI 2.0 form API Gateway takes) with a placeholder ${<function>_url} for each backend: the build does not
# know the functions' URLs, Terraform does, so templatefile() puts each function's URL in its place here.
#
# The gateway calls each function with an ID token of its own service account (audience: the function's URL);
# that account is the only invoker this file adds. Direct calls to a function with an ID token of an
# invoker_members principal keep working.

locals {
  # The functions the gateway routes to: those with a gateway operation in docs/openapi.yaml
  # (test/terraform/gateway.test.ts keeps the two in step).
  gateway_functions = ["campaigns", "capabilities", "events", "files", "messages", "revoke", "send"]

  # templatefile() variables of the rendered document: ${<name>_url} is that function's URL.
  gateway_backend_urls = { for name, fn in google_cloudfunctions2_function.function : "${name}_url" => fn.service_config[0].uri }

  gateway_apis = [
    "apigateway.googleapis.com",        # the gateway, its API and configs
    "apikeys.googleapis.com",           # the callers' API key
    "servicecontrol.googleapis.com",    # checks each call's key
    "servicemanagement.googleapis.com", # the API's managed service
  ]
}

resource "google_project_service" "gateway" {
  for_each = toset(var.enable_gateway ? local.gateway_apis : [])

  project = var.project_id
  service = each.value

  disable_on_destroy         = false
  disable_dependent_services = false
}

# ---------------------------------------------------------------------------------------------------------------
# The gateway's identity: it invokes the functions it routes to, and nothing else.

resource "google_service_account" "gateway" {
  count = var.enable_gateway ? 1 : 0

  project      = var.project_id
  account_id   = "${var.name_prefix}rbm-gateway"
  display_name = "RBM API gateway"
  description  = "Identity of the API gateway's ID tokens; invokes the functions the gateway routes to."

  depends_on = [google_project_service.required]
}

resource "google_cloud_run_v2_service_iam_member" "gateway_invokes" {
  for_each = toset(var.enable_gateway ? local.gateway_functions : [])

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function[each.key].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.gateway[0].email}"
}

# ---------------------------------------------------------------------------------------------------------------
# The API, its config (the rendered document) and the gateway.

resource "google_api_gateway_api" "gateway" {
  count    = var.enable_gateway ? 1 : 0
  provider = google-beta

  project      = var.project_id
  api_id       = "${var.name_prefix}rbm-api"
  display_name = "RBM functions"
  labels       = var.labels

  depends_on = [google_project_service.gateway]
}

# A config cannot change: a new document makes a new config (named from the prefix), which the gateway moves to
# before the old one goes.
resource "google_api_gateway_api_config" "gateway" {
  count    = var.enable_gateway ? 1 : 0
  provider = google-beta

  project              = var.project_id
  api                  = google_api_gateway_api.gateway[0].api_id
  api_config_id_prefix = "${var.name_prefix}rbm-"
  display_name         = "RBM functions"
  labels               = var.labels

  openapi_documents {
    document {
      path     = "openapi2.yaml"
      contents = base64encode(templatefile("${var.dist_dir}/gateway/openapi2.yaml", local.gateway_backend_urls))
    }
  }

  gateway_config {
    backend_config {
      google_service_account = google_service_account.gateway[0].email
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "google_api_gateway_gateway" "gateway" {
  count    = var.enable_gateway ? 1 : 0
  provider = google-beta

  project      = var.project_id
  region       = coalesce(var.gateway_region, var.region)
  gateway_id   = "${var.name_prefix}rbm-gateway"
  api_config   = google_api_gateway_api_config.gateway[0].id
  display_name = "RBM functions"
  labels       = var.labels
}

# ---------------------------------------------------------------------------------------------------------------
# API keys: the API's managed service must be enabled in the project before a key of the project may call it.

resource "google_project_service" "gateway_managed_service" {
  count = var.enable_gateway ? 1 : 0

  project = var.project_id
  service = google_api_gateway_api.gateway[0].managed_service

  # The service belongs to the API above and is deleted with it.
  disable_on_destroy = false
}

# The callers' key, valid for this gateway's API only. Its value is never in an output: read it with the command
# the gateway_api_key output prints. (Like any google_apikeys_key, the value is kept in the Terraform state.)
resource "google_apikeys_key" "gateway" {
  count = var.enable_gateway ? 1 : 0

  project      = var.project_id
  name         = "${var.name_prefix}rbm-gateway"
  display_name = "RBM gateway callers"

  restrictions {
    api_targets {
      service = google_api_gateway_api.gateway[0].managed_service
    }
  }

  depends_on = [google_project_service.gateway, google_project_service.gateway_managed_service]
}
