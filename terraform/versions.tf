terraform {
  # replace_triggered_by, endswith() and optional() object attributes are all available from 1.5 on.
  required_version = ">= 1.5.0"

  required_providers {
    # Written and reviewed against 6.x; widen after checking the 7.0 upgrade guide.
    google = {
      source  = "hashicorp/google"
      version = "~> 6.2"
    }
    # API Gateway's resources (gateway.tf) are in the beta provider only.
    google-beta = {
      source  = "hashicorp/google-beta"
      version = "~> 6.2"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.4"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

provider "google-beta" {
  project = var.project_id
  region  = var.region
}
