variable "project_id" {
  type        = string
  description = "Google Cloud project id that hosts everything (functions, topics, Firestore, secrets)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project id (6-30 characters: lowercase letters, digits and hyphens, starting with a letter), not a project number or display name."
  }
}

variable "region" {
  type        = string
  description = "Region of the functions, the source bucket and (unless firestore_location_id is set) the Firestore database, e.g. europe-west1."

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Cloud Functions region such as us-central1 or europe-west1."
  }
}

variable "name_prefix" {
  type        = string
  description = "Prefix put verbatim in front of every resource name (topics, subscriptions, functions, service accounts, secrets). Empty, or up to 14 characters ending with '-', e.g. \"staging-\". With the default the names are exactly those of docs/topics.md (rbm-inbound, ...)."
  default     = ""

  validation {
    # 14 characters at most: service account ids are limited to 30 and the longest is "rbm-inbound-push".
    condition     = can(regex("^([a-z][a-z0-9-]{0,12}-)?$", var.name_prefix))
    error_message = "name_prefix must be empty or 2-14 characters of lowercase letters, digits and hyphens, starting with a letter and ending with '-' (e.g. \"staging-\")."
  }
}

variable "rbm_agent_id" {
  type        = string
  description = "The RBM agent id without the @rbm.goog suffix (RBM_AGENT_ID of send, revoke and inbound)."

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]*$", var.rbm_agent_id)) && !endswith(var.rbm_agent_id, "@rbm.goog")
    error_message = "rbm_agent_id must be the bare agent id (letters, digits, '_', '.', '-'), without @rbm.goog."
  }
}

variable "rbm_api_endpoint" {
  type        = string
  description = "Base URL of the RBM API used by send and revoke (RBM_API_ENDPOINT): the global endpoint or a regional one (europe-, us-, asia-). A Google OAuth token is attached to these calls, so only Google hosts are accepted."
  default     = "https://rcsbusinessmessaging.googleapis.com"

  validation {
    condition     = can(regex("^https://([a-z]+-)?rcsbusinessmessaging\\.googleapis\\.com$", var.rbm_api_endpoint))
    error_message = "rbm_api_endpoint must be https://rcsbusinessmessaging.googleapis.com or a regional variant such as https://europe-rcsbusinessmessaging.googleapis.com, without a trailing slash."
  }
}

variable "invoker_members" {
  type        = list(string)
  description = "IAM principals allowed to call send and revoke (roles/run.invoker on their Cloud Run services), e.g. [\"serviceAccount:backend@my-project.iam.gserviceaccount.com\"]. allUsers and allAuthenticatedUsers are refused: these endpoints spend RBM quota and write state."

  validation {
    condition     = length(var.invoker_members) > 0
    error_message = "invoker_members must name at least one principal, or nobody could call send and revoke."
  }

  validation {
    condition     = alltrue([for m in var.invoker_members : !contains(["allUsers", "allAuthenticatedUsers"], m)])
    error_message = "invoker_members must not contain allUsers or allAuthenticatedUsers: send and revoke are never public."
  }

  validation {
    condition     = alltrue([for m in var.invoker_members : can(regex("^(user|serviceAccount|group|domain|principal|principalSet):.+$", m))])
    error_message = "Each invoker_members entry must be an IAM member such as user:alice@example.com, serviceAccount:x@p.iam.gserviceaccount.com, group:... or domain:...."
  }
}

variable "webhook_max_instances" {
  type        = number
  description = "Upper bound on webhook instances. The webhook is public (RBM calls it; the signature is the authentication), so this caps what unsigned traffic can cost."
  default     = 10

  validation {
    condition     = var.webhook_max_instances >= 1 && var.webhook_max_instances <= 1000 && floor(var.webhook_max_instances) == var.webhook_max_instances
    error_message = "webhook_max_instances must be a whole number between 1 and 1000."
  }
}

variable "function_max_instances" {
  type        = number
  description = "Upper bound on instances of each function except webhook (webhook_max_instances) and reconcile (1)."
  default     = 20

  validation {
    condition     = var.function_max_instances >= 1 && var.function_max_instances <= 1000 && floor(var.function_max_instances) == var.function_max_instances
    error_message = "function_max_instances must be a whole number between 1 and 1000."
  }
}

variable "dist_dir" {
  type        = string
  description = "Directory holding the build output (one folder per function: dist/send, dist/revoke, dist/webhook, dist/inbound), written by `npm run build`. A relative path is resolved from the directory terraform runs in (terraform/)."
  default     = "../dist"

  validation {
    condition     = length(trimspace(var.dist_dir)) > 0
    error_message = "dist_dir must not be empty."
  }
}

variable "firestore_location_id" {
  type        = string
  description = "Location of the (default) Firestore database: a multi-region such as nam5 or eur3, or a region. Null means the same as region. It cannot be changed once the database exists."
  default     = null

  validation {
    condition     = var.firestore_location_id == null || can(regex("^([a-z]+[0-9]+|[a-z]+-[a-z]+[0-9]+)$", var.firestore_location_id))
    error_message = "firestore_location_id must be a Firestore location such as nam5, eur3 or europe-west1."
  }
}

variable "create_user_messages_subscription" {
  type        = bool
  description = "Create a pull subscription on rbm-user-messages (named <prefix>rbm-user-messages-pull) for the business's own logic. Off by default: most businesses attach their own subscription."
  default     = false
}

variable "create_message_status_subscription" {
  type        = bool
  description = "Create a pull subscription on rbm-message-status (<prefix>rbm-message-status-pull) for the business. Off by default."
  default     = false
}

variable "create_fallback_subscription" {
  type        = bool
  description = "Create a pull subscription on rbm-fallback (<prefix>rbm-fallback-pull) for the business's SMS sender. Off by default."
  default     = false
}

variable "create_consent_changes_subscription" {
  type        = bool
  description = "Create a pull subscription on rbm-consent-changes (<prefix>rbm-consent-changes-pull) for the business. Off by default."
  default     = false
}

variable "consent_mode" {
  type        = string
  description = "Which sends an unsubscribed phone refuses: promotional (PROMOTION only), strict (all but AUTHENTICATION, SERVICEREQUEST, ACKNOWLEDGEMENT) or off."
  default     = "promotional"

  validation {
    condition     = contains(["promotional", "strict", "off"], var.consent_mode)
    error_message = "consent_mode must be promotional, strict or off."
  }
}

variable "auto_read" {
  type        = bool
  description = "inbound sends a READ agent event for each new user message."
  default     = false
}

variable "fallback_grace_seconds" {
  type        = number
  description = "Seconds reconcile waits for a DELIVERED before a timer fallback rule fires (RBM_FALLBACK_GRACE_S)."
  default     = 600

  validation {
    condition     = var.fallback_grace_seconds >= 60 && floor(var.fallback_grace_seconds) == var.fallback_grace_seconds
    error_message = "fallback_grace_seconds must be a whole number of seconds, at least 60."
  }
}

variable "pending_timeout_seconds" {
  type        = number
  description = "Age after which reconcile resolves a PENDING record (RBM_PENDING_TIMEOUT_S)."
  default     = 3600

  validation {
    condition     = var.pending_timeout_seconds >= 300 && floor(var.pending_timeout_seconds) == var.pending_timeout_seconds
    error_message = "pending_timeout_seconds must be a whole number of seconds, at least 300."
  }
}

variable "campaigns_queue_max_dispatches_per_second" {
  type        = number
  description = "Ceiling on task dispatches per second of the rbm-campaigns queue, over all campaigns at once (each campaign's ratePerSecond paces it below this). Cloud Tasks allows at most 500."
  default     = 500

  validation {
    condition     = var.campaigns_queue_max_dispatches_per_second > 0 && var.campaigns_queue_max_dispatches_per_second <= 500
    error_message = "campaigns_queue_max_dispatches_per_second must be above 0 and at most 500."
  }
}

variable "campaigns_queue_max_concurrent_dispatches" {
  type        = number
  description = "Tasks of the rbm-campaigns queue in flight at once (1-5000)."
  default     = 1000

  validation {
    condition     = var.campaigns_queue_max_concurrent_dispatches >= 1 && var.campaigns_queue_max_concurrent_dispatches <= 5000
    error_message = "campaigns_queue_max_concurrent_dispatches must be from 1 to 5000."
  }
}

variable "campaigns_queue_max_attempts" {
  type        = number
  description = "Attempts per campaign task, the first included; -1 for no limit (max_retry_duration still applies)."
  default     = -1
}

variable "campaigns_queue_min_backoff" {
  type        = string
  description = "Wait before a campaign task's first retry, as a duration such as \"10s\"."
  default     = "10s"
}

variable "campaigns_queue_max_backoff" {
  type        = string
  description = "Longest wait between retries of a campaign task, such as \"300s\"."
  default     = "300s"
}

variable "campaigns_queue_max_doublings" {
  type        = number
  description = "How many times the wait between a campaign task's retries doubles before it grows linearly up to max_backoff."
  default     = 5

  validation {
    condition     = var.campaigns_queue_max_doublings >= 0 && floor(var.campaigns_queue_max_doublings) == var.campaigns_queue_max_doublings
    error_message = "campaigns_queue_max_doublings must be a whole number of 0 or more."
  }
}

variable "campaigns_queue_max_retry_duration" {
  type        = string
  description = "How long a failing campaign task is retried, such as \"3600s\" (a recipient still PENDING after that is resolved by reconcile)."
  default     = "3600s"
}

variable "labels" {
  type        = map(string)
  description = "Labels added to every resource that supports them."
  default     = {}
}

variable "alert_notification_channels" {
  type        = list(string)
  description = "Cloud Monitoring notification channels (projects/P/notificationChannels/ID) the alert policies notify: dead letters held, inbound backlog older than 10 minutes, 5xx share of the HTTP functions. Empty: the policies exist and open incidents in the console, but notify nobody."
  default     = []

  validation {
    condition     = alltrue([for channel in var.alert_notification_channels : can(regex("^projects/[^/]+/notificationChannels/[^/]+$", channel))])
    error_message = "Each alert_notification_channels entry must be a channel's full name, projects/PROJECT/notificationChannels/ID (gcloud beta monitoring channels list)."
  }
}

variable "alert_5xx_ratio" {
  type        = number
  description = "Share of a function's requests answered 5xx over 5 minutes above which the 5xx alert fires (together with alert_5xx_min_count)."
  default     = 0.05

  validation {
    condition     = var.alert_5xx_ratio > 0 && var.alert_5xx_ratio < 1
    error_message = "alert_5xx_ratio must be a share between 0 and 1, e.g. 0.05 for 5%."
  }
}

variable "alert_5xx_min_count" {
  type        = number
  description = "Fewest 5xx answers of one function over 5 minutes that may fire the 5xx alert, so that a single failure in a quiet hour does not page."
  default     = 5

  validation {
    condition     = var.alert_5xx_min_count >= 1 && floor(var.alert_5xx_min_count) == var.alert_5xx_min_count
    error_message = "alert_5xx_min_count must be a whole number, at least 1."
  }
}

variable "user_message_retention_days" {
  type        = number
  description = "Days a userMessages document is kept before Firestore's TTL policy deletes it (RBM_USER_MESSAGE_RETENTION_DAYS of inbound). Applies to documents created after a change."
  default     = 90

  validation {
    condition     = var.user_message_retention_days >= 1 && var.user_message_retention_days <= 3650 && floor(var.user_message_retention_days) == var.user_message_retention_days
    error_message = "user_message_retention_days must be a whole number of days from 1 to 3650."
  }
}

variable "agent_message_retention_days" {
  type        = number
  description = "Days an agentMessages record is kept before Firestore's TTL policy deletes it (RBM_AGENT_MESSAGE_RETENTION_DAYS of the functions that create records). Applies to records created after a change."
  default     = 400

  validation {
    condition     = var.agent_message_retention_days >= 1 && var.agent_message_retention_days <= 3650 && floor(var.agent_message_retention_days) == var.agent_message_retention_days
    error_message = "agent_message_retention_days must be a whole number of days from 1 to 3650."
  }
}

variable "max_instance_request_concurrency" {
  type        = map(number)
  description = "Requests one instance serves at once, by function name, for the functions named; the others take 8 (reconcile 1). More than 1 needs available_cpu of at least 1 (docs/operations.md)."
  default     = {}

  validation {
    condition     = alltrue([for n in values(var.max_instance_request_concurrency) : n >= 1 && n <= 1000 && floor(n) == n])
    error_message = "max_instance_request_concurrency values must be whole numbers from 1 to 1000."
  }
}

variable "available_cpu" {
  type        = map(string)
  description = "vCPUs of one instance, by function name, for the functions named; the others take \"1\". Fractions below 1 (e.g. \"0.5\") allow only 1 request per instance."
  default     = {}

  validation {
    condition     = alltrue([for cpu in values(var.available_cpu) : can(regex("^(0\\.[0-9]+|[1-9][0-9]*)$", cpu)) && try(tonumber(cpu) > 0 && tonumber(cpu) <= 8, false)])
    error_message = "available_cpu values must be a vCPU count as a string: a fraction below 1 such as \"0.5\", or a whole number from \"1\" to \"8\"."
  }
}

variable "webhook_min_instances" {
  type        = number
  description = "Instances of webhook kept warm, so RBM's callbacks never wait for a cold start. 0 scales to zero; each warm instance is billed at Cloud Run's idle rate around the clock (docs/operations.md)."
  default     = 0

  validation {
    condition     = var.webhook_min_instances >= 0 && var.webhook_min_instances <= 100 && floor(var.webhook_min_instances) == var.webhook_min_instances
    error_message = "webhook_min_instances must be a whole number from 0 to 100."
  }
}

variable "enable_gateway" {
  type        = bool
  description = "Create the API gateway: one base URL with an API key for the RBM-compatible and project routes (gateway.tf, docs/gateway.md). The functions' own URLs work either way."
  default     = true
}

variable "gateway_region" {
  type        = string
  description = "Region of the API gateway; empty means var.region. API Gateway runs in fewer regions than Cloud Functions (e.g. us-central1, us-east1, europe-west1, europe-west2, asia-northeast1, australia-southeast1)."
  default     = ""

  validation {
    condition     = var.gateway_region == "" || can(regex("^[a-z]+-[a-z]+[0-9]+$", var.gateway_region))
    error_message = "gateway_region must be empty or a region name such as \"europe-west1\"."
  }
}
