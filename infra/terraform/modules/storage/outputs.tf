output "bucket_name" {
  description = "Name of the tenant-assets bucket (KOMMUNAL_S3_BUCKET)."
  value       = aws_s3_bucket.assets.id
}

output "bucket_arn" {
  description = "ARN of the tenant-assets bucket."
  value       = aws_s3_bucket.assets.arn
}

output "bucket_region" {
  description = "Region of the tenant-assets bucket (KOMMUNAL_S3_REGION)."
  value       = data.aws_region.current.name
}

output "access_logs_bucket_name" {
  description = "Name of the bucket for ALB and S3 access logs (ALB logs under alb/, S3 logs under s3/)."
  value       = aws_s3_bucket.logs.id
  # The ALB checks on creation that it may write here.
  depends_on = [aws_s3_bucket_policy.logs]
}
