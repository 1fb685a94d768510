output "gamma_csm" {
  description = "Everything the module reports (function URLs, topics, service accounts, watcher settings)."
  value       = module.gamma_csm
}

output "functions_rbac_yaml" {
  description = "kubectl apply -f <(terraform output -raw functions_rbac_yaml)"
  value       = module.gamma_csm.functions_rbac_yaml
}

output "functions_auto_neg_rbac_yaml" {
  description = "Only with GAMMA_AUTO_NEG=true: kubectl apply -f <(terraform output -raw functions_auto_neg_rbac_yaml)"
  value       = module.gamma_csm.functions_auto_neg_rbac_yaml
}
