package main

import (
	"context"

	digest "github.com/opencontainers/go-digest"
	"go.podman.io/image/v5/manifest"
	"go.podman.io/image/v5/types"
)

// chooseInstance returns the per-platform instance digest of an image index, or "" for a plain
// image. containers/image's copy does the top-level policy check on the index itself and then
// on the chosen instance; we mirror the instance check, which is what a node enforces for a pull.
func chooseInstance(_ context.Context, sys *types.SystemContext, m []byte, mimeType string) (digest.Digest, error) {
	if !manifest.MIMETypeIsMultiImage(mimeType) {
		return "", nil
	}
	list, err := manifest.ListFromBlob(m, mimeType)
	if err != nil {
		return "", err
	}
	return list.ChooseInstance(sys)
}
