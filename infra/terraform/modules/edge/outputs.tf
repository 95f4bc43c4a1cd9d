output "alb_arn" {
  description = "ARN of the application load balancer."
  value       = aws_lb.this.arn
}

output "alb_arn_suffix" {
  description = "ARN suffix of the load balancer (CloudWatch dimension LoadBalancer)."
  value       = aws_lb.this.arn_suffix
}

output "alb_dns_name" {
  description = "DNS name of the load balancer (the apex and wildcard records point here)."
  value       = aws_lb.this.dns_name
}

output "target_group_arn" {
  description = "ARN of the web target group, available once the HTTPS listener forwards to it (ECS services need that)."
  value       = aws_lb_target_group.web.arn
  depends_on  = [aws_lb_listener.https]
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the web target group (CloudWatch dimension TargetGroup)."
  value       = aws_lb_target_group.web.arn_suffix
}

output "https_listener_arn" {
  description = "ARN of the HTTPS listener (add certificates for communes' custom domains here)."
  value       = aws_lb_listener.https.arn
}

output "certificate_arn" {
  description = "ARN of the validated ACM certificate for the apex and *.<domain>."
  value       = aws_acm_certificate_validation.this.certificate_arn
}

output "web_acl_arn" {
  description = "ARN of the WAF web ACL in front of the load balancer."
  value       = aws_wafv2_web_acl.this.arn
}
