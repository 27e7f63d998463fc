// policy-judge asks a real containers/image (the library CRI-O, podman and skopeo use) for its
// verdict, so that our own parser and verifier can be compared with the implementation nodes run.
// skopeo itself is not served by the Go module proxy; this is the same library code path that
// `skopeo copy` uses for its policy check (signature.PolicyContext.IsRunningImageAllowed).
//
//	policy-judge parse FILE...                   one line per file: "ok FILE" or "error FILE: message"
//	policy-judge admit [flags] IMAGE...          one JSON line per image: {"image","allowed","error"}
//	  --policy FILE --registries.d DIR [--registries-conf FILE] [--insecure]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/image"
	"go.podman.io/image/v5/signature"
	"go.podman.io/image/v5/types"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: policy-judge parse FILE... | admit [flags] IMAGE...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "parse":
		parse(os.Args[2:])
	case "admit":
		admit(os.Args[2:])
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}

func parse(files []string) {
	for _, f := range files {
		if _, err := signature.NewPolicyFromFile(f); err != nil {
			fmt.Printf("error %s: %s\n", f, strings.ReplaceAll(err.Error(), "\n", " "))
		} else {
			fmt.Printf("ok %s\n", f)
		}
	}
}

type verdict struct {
	Image   string `json:"image"`
	Allowed bool   `json:"allowed"`
	Error   string `json:"error,omitempty"`
}

func admit(args []string) {
	fs := flag.NewFlagSet("admit", flag.ExitOnError)
	policyPath := fs.String("policy", "", "policy.json")
	registriesD := fs.String("registries.d", "", "registries.d directory")
	registriesConf := fs.String("registries-conf", "", "registries.conf (mirrors)")
	insecure := fs.Bool("insecure", false, "allow plain HTTP and skip TLS verification")
	_ = fs.Parse(args)

	sys := &types.SystemContext{
		RegistriesDirPath:        *registriesD,
		SystemRegistriesConfPath: *registriesConf,
		// Keep the judge hermetic: no user auth files or certificate directories from the host.
		AuthFilePath:   "/dev/null/none",
		DockerCertPath: "/dev/null/none",
	}
	if *registriesConf == "" {
		sys.SystemRegistriesConfPath = "/dev/null/none"
	}
	if *insecure {
		sys.DockerInsecureSkipTLSVerify = types.OptionalBoolTrue
	}
	policy, err := signature.NewPolicyFromFile(*policyPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "policy: %v\n", err)
		os.Exit(2)
	}
	out := json.NewEncoder(os.Stdout)
	for _, img := range fs.Args() {
		v := verdict{Image: img}
		if err := check(sys, policy, img); err != nil {
			v.Error = strings.ReplaceAll(err.Error(), "\n", " ")
		} else {
			v.Allowed = true
		}
		_ = out.Encode(v)
	}
}

func check(sys *types.SystemContext, policy *signature.Policy, img string) error {
	ctx := context.Background()
	ref, err := docker.ParseReference("//" + img)
	if err != nil {
		return err
	}
	pc, err := signature.NewPolicyContext(policy)
	if err != nil {
		return err
	}
	defer pc.Destroy()
	src, err := ref.NewImageSource(ctx, sys)
	if err != nil {
		return err
	}
	defer src.Close()
	// Like `skopeo copy` of a single image: an image index is resolved to the instance for this
	// platform, and the policy is checked against that instance.
	unparsed := image.UnparsedInstance(src, nil)
	manifestBytes, mimeType, err := unparsed.Manifest(ctx)
	if err != nil {
		return err
	}
	if instance, err := chooseInstance(ctx, sys, manifestBytes, mimeType); err != nil {
		return err
	} else if instance != "" {
		unparsed = image.UnparsedInstance(src, &instance)
	}
	_, err = pc.IsRunningImageAllowed(ctx, unparsed)
	return err
}
