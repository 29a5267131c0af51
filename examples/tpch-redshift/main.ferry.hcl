# The runbook's case: the eight TPC-H tables from an Amazon Redshift
# cluster to a MaxCompute project, staged in S3 and landed in OSS.
# Secrets come from variables (FERRY_VAR_redshift_password), the AWS
# default credential chain and the Alibaba Cloud credential chain.

variable "redshift_password" {
  type      = string
  sensitive = true
}

source "redshift" "prod" {
  host        = "examplecluster.abc123.ap-southeast-1.redshift.amazonaws.com"
  port        = 5439
  database    = "dev"
  user        = "awsuser"
  password    = var.redshift_password
  unload_role = "arn:aws:iam::111122223333:role/redshift_s3_role"
}

bucket "s3" "unload" {
  bucket = "my-unload"
  prefix = "unload_from_redshift"
  region = "ap-southeast-1"
}

bucket "oss" "landing" {
  bucket   = "my-landing"
  endpoint = "oss-ap-southeast-1.aliyuncs.com"
  region   = "ap-southeast-1"
  prefix   = "from_redshift"
}

target "maxcompute" "dw" {
  endpoint      = "http://service.ap-southeast-1.maxcompute.aliyun.com/api"
  project       = "tpch_mc"
  load_role_arn = "acs:ram::111122223333:role/mc-oss-reader"
}

backend "oss" {
  bucket   = "my-landing"
  key      = "ferry/tpch.state.json"
  endpoint = "oss-ap-southeast-1.aliyuncs.com"
  region   = "ap-southeast-1"
}

migration "tpch" {
  from   = source.redshift.prod
  via    = [bucket.s3.unload, bucket.oss.landing]
  to     = target.maxcompute.dw
  copy   = { engine = "stream", transfers = 8 }
  tables = ["public.*"]

  verify {
    level = "aggregates"
    query "tpch_q1" {
      source_sql = file("../quickstart/queries/q1.sql")
      target_sql = file("../quickstart/queries/q1.sql")
      tolerance  = 0.000001
    }
  }
}
