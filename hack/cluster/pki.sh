# shellcheck shell=bash
# Credentials for the local cluster, made with openssl: one CA, the serving
# certificates of the API server and the kubelet, the API server's client
# certificate for talking to the kubelet, the service-account key pair, and
# a static token per identity with a kubeconfig for each. Sourced by up.sh
# after lib.sh. Existing files are kept, so a cluster restarted on a kept
# state directory (KEEP_STATE=1) still accepts the kubeconfigs handed out.

# new_key writes a P-256 private key: quick to make and accepted everywhere
# in Kubernetes.
new_key() {
  [ -f "$1" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

# sign_cert <name> <subject> <extensions>: issues <name>.crt from the CA.
sign_cert() {
  local name="$1" subject="$2" extensions="$3"
  [ -f "${pki_dir}/${name}.crt" ] && return 0
  new_key "${pki_dir}/${name}.key"
  openssl req -new -key "${pki_dir}/${name}.key" -subj "${subject}" \
    -out "${pki_dir}/${name}.csr" 2>/dev/null
  printf '%s\n' "${extensions}" > "${pki_dir}/${name}.ext"
  openssl x509 -req -in "${pki_dir}/${name}.csr" -CA "${pki_dir}/ca.crt" -CAkey "${pki_dir}/ca.key" \
    -CAcreateserial -days 365 -sha256 -extfile "${pki_dir}/${name}.ext" \
    -out "${pki_dir}/${name}.crt" 2>/dev/null
  rm -f "${pki_dir}/${name}.csr" "${pki_dir}/${name}.ext"
}

generate_pki() {
  mkdir -p "${pki_dir}"
  chmod 700 "${pki_dir}"

  if [ ! -f "${pki_dir}/ca.crt" ]; then
    new_key "${pki_dir}/ca.key"
    openssl req -x509 -new -key "${pki_dir}/ca.key" -subj "/CN=idempotency-e2e-ca" \
      -days 3650 -sha256 -out "${pki_dir}/ca.crt" \
      -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
  fi

  local node
  node="$(node_name)"
  sign_cert apiserver "/CN=kube-apiserver" "$(printf '%s\n' \
    "basicConstraints=CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" \
    "subjectAltName=IP:127.0.0.1,IP:${node_ip},IP:${kubernetes_service_ip},DNS:localhost,DNS:${node},DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local")"
  sign_cert kubelet "/CN=${node}" "$(printf '%s\n' \
    "basicConstraints=CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" \
    "subjectAltName=IP:${node_ip},IP:127.0.0.1,DNS:${node},DNS:localhost")"
  # The API server presents this to the kubelet for logs, exec and
  # port-forward; the kubelet asks the API server to authorize the name.
  sign_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$(printf '%s\n' \
    "basicConstraints=CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=clientAuth")"

  if [ ! -f "${pki_dir}/sa.key" ]; then
    openssl genrsa -out "${pki_dir}/sa.key" 2048 2>/dev/null
    openssl rsa -in "${pki_dir}/sa.key" -pubout -out "${pki_dir}/sa.pub" 2>/dev/null
  fi

  generate_tokens
}

# Each identity gets a random bearer token in the API server's static token
# file (token,user,uid,"groups"). The admin is a system:masters member; the
# components use the names that the built-in RBAC roles and the Node
# authorizer expect.
generate_tokens() {
  local file="${pki_dir}/tokens.csv" node
  node="$(node_name)"
  [ -f "${file}" ] && return 0
  {
    printf '%s,admin,admin,"system:masters"\n' "$(openssl rand -hex 24)"
    printf '%s,system:kube-controller-manager,kube-controller-manager\n' "$(openssl rand -hex 24)"
    printf '%s,system:kube-scheduler,kube-scheduler\n' "$(openssl rand -hex 24)"
    printf '%s,system:node:%s,kubelet,"system:nodes"\n' "$(openssl rand -hex 24)" "${node}"
    printf '%s,system:kube-proxy,kube-proxy\n' "$(openssl rand -hex 24)"
  } > "${file}"
  chmod 600 "${file}"
}

# token_of prints the token of the identity whose uid is $1.
token_of() { awk -F, -v uid="$1" '$3 == uid { print $1 }' "${pki_dir}/tokens.csv"; }

# write_kubeconfig <file> <uid> <server>: a kubeconfig with the CA inlined,
# so that it stays usable when copied elsewhere.
write_kubeconfig() {
  local file="$1" uid="$2" server="$3"
  cat > "${file}" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: idempotency-e2e
  cluster:
    server: ${server}
    certificate-authority-data: $(base64 -w0 < "${pki_dir}/ca.crt")
users:
- name: ${uid}
  user:
    token: $(token_of "${uid}")
contexts:
- name: idempotency-e2e
  context:
    cluster: idempotency-e2e
    user: ${uid}
current-context: idempotency-e2e
YAML
  chmod 600 "${file}"
}

write_kubeconfigs() {
  local server="https://${node_ip}:${apiserver_port}" uid
  mkdir -p "${etc_dir}"
  write_kubeconfig "${kubeconfig}" admin "${server}"
  for uid in kube-controller-manager kube-scheduler kubelet kube-proxy; do
    write_kubeconfig "${etc_dir}/${uid}.kubeconfig" "${uid}" "${server}"
  done
}
