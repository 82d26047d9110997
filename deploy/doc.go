// Package deploy holds what runs reportgen elsewhere: the Kubernetes
// manifests (deploy/k8s, a kustomize base) and, with the Containerfile at
// the top of the repository and scripts/build-image.sh, the container
// image. It has no Go code of its own; its tests check the manifests
// against the Kubernetes API types and run the image's root filesystem.
package deploy
