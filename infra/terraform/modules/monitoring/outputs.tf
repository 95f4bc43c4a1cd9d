output "alarm_topic_arn" {
  description = "ARN of the SNS topic all alarms notify (subscribe further endpoints, e.g. an on-call tool, here)."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms of this environment."
  value = concat(
    [
      aws_cloudwatch_metric_alarm.alb_5xx_rate.alarm_name,
      aws_cloudwatch_metric_alarm.web_no_healthy_tasks.alarm_name,
      aws_cloudwatch_metric_alarm.db_cpu.alarm_name,
      aws_cloudwatch_metric_alarm.db_free_storage.alarm_name,
    ],
    [for alarm in aws_cloudwatch_metric_alarm.queue_depth : alarm.alarm_name],
  )
}
