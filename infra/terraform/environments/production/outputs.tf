output "stack" {
  description = "Every output of the stack (modules/stack/outputs.tf) as one object: terraform output -json stack."
  value       = module.stack
}
