variable "redshift_password" {
  type      = string
  sensitive = true
}

variable "region" {
  type        = string
  default     = "ap-southeast-1"
  description = "Region of both clouds."

  validation {
    condition     = length(var.region) > 0
    error_message = "region must not be empty."
  }
}

source "redshift" "prod" {
  host        = "examplecluster.abc123.${var.region}.redshift.amazonaws.com"
  port        = 5439
  database    = "dev"
  user        = "awsuser"
  password    = var.redshift_password
  unload_role = "arn:aws:iam::111122223333:role/redshift_s3_role"
}

bucket "s3" "unload" {
  bucket = "my-unload"
  prefix = "unload_from_redshift"
  region = var.region
}

bucket "oss" "landing" {
  bucket            = "my-landing"
  endpoint          = "oss-${var.region}.aliyuncs.com"
  prefix            = "from_redshift"
  access_key_id     = env("ALIBABA_CLOUD_ACCESS_KEY_ID")
  access_key_secret = env("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
}

target "maxcompute" "dw" {
  endpoint      = "http://service.${var.region}.maxcompute.aliyun.com/api"
  project       = "tpch_mc"
  load_role_arn = "acs:ram::111122223333:role/mc-oss-reader"
  timezone      = env("FERRY_TZ", "Asia/Singapore")
}

backend "local" {
  path = "ferry.state.json"
}

migration "tpch" {
  from    = source.redshift.prod
  via     = [bucket.s3.unload, bucket.oss.landing]
  to      = target.maxcompute.dw
  copy    = { engine = "stream", transfers = 8 }
  tables  = ["public.*"]
  exclude = ["public.tmp_*"]

  table "public.lineitem" {
    name         = "lineitem"
    partition_by = ["l_shipmode"]
    where        = "l_shipdate >= '1995-01-01'"
    column "l_comment" { type = "STRING" }
    column "l_tax" { rename = "tax" }
  }

  verify {
    level = "fingerprint"
    query "tpch_q1" {
      sql       = file("queries/q1.sql")
      tolerance = 0.01
    }
    query "counts" {
      source_sql = "SELECT count(*) FROM public.orders"
      target_sql = "SELECT count(*) FROM orders"
    }
  }
}
