// policy-judge asks a real containers/image (the library CRI-O, podman and skopeo use) for its
// verdict, so that our own parser and verifier can be compared with the implementation nodes run.
// skopeo itself is not served by the Go module proxy; this is the same library code path that
// `skopeo copy` uses for its policy check (signature.PolicyContext.IsRunningImageAllowed).
//
//	policy-judge parse FILE...                   one line per file: "ok FILE" or "error FILE: message"
//	policy-judge parse-registries FILE... [--dropin-dir DIR]
//	                                             the same for registries.conf files (with DIR as their
//	                                             registries.conf.d; none when not given), loaded by
//	                                             sysregistriesv2 as a node loads them
//	policy-judge admit [flags] IMAGE...          one JSON line per image: {"image","allowed","error"}
//	  --policy FILE --registries.d DIR [--registries-conf FILE] [--insecure]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/image"
	"go.podman.io/image/v5/pkg/sysregistriesv2"
	"go.podman.io/image/v5/signature"
	"go.podman.io/image/v5/types"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: policy-judge parse FILE... | parse-registries FILE... [--dropin-dir DIR] | admit [flags] IMAGE...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "parse":
		parse(os.Args[2:])
	case "parse-registries":
		parseRegistries(os.Args[2:])
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

// parseRegistries loads each registries.conf the way a node does (sysregistriesv2, which also validates
// it: prefixes, locations, mirrors, pull-from-mirror, short-name settings) and asks for the registries and
// the unqualified-search registries, the two things a pull reads from it.
func parseRegistries(args []string) {
	var files []string
	dropins := ""
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "--dropin-dir" && i+1 < len(args):
			i++
			dropins = args[i]
		case strings.HasPrefix(args[i], "--dropin-dir="):
			dropins = strings.TrimPrefix(args[i], "--dropin-dir=")
		case strings.HasPrefix(args[i], "-"):
			fmt.Fprintf(os.Stderr, "parse-registries: unknown flag %q\n", args[i])
			os.Exit(2)
		default:
			files = append(files, args[i])
		}
	}
	if dropins == "" {
		// No drop-ins unless asked: an empty directory, never the host's /etc/containers/registries.conf.d.
		work, err := os.MkdirTemp("", "policy-judge-")
		if err != nil {
			fmt.Fprintf(os.Stderr, "temporary directory: %v\n", err)
			os.Exit(2)
		}
		defer os.RemoveAll(work)
		dropins = work
	}
	for _, f := range files {
		if err := loadRegistries(f, dropins); err != nil {
			fmt.Printf("error %s: %s\n", f, strings.ReplaceAll(err.Error(), "\n", " "))
		} else {
			fmt.Printf("ok %s\n", f)
		}
	}
}

func loadRegistries(file, dropins string) error {
	// sysregistriesv2 reads a missing registries.conf as an empty one; a judge of a file must not.
	if _, err := os.Stat(file); err != nil {
		return err
	}
	sysregistriesv2.InvalidateCache()
	sys := &types.SystemContext{SystemRegistriesConfPath: file, SystemRegistriesConfDirPath: dropins}
	if _, err := sysregistriesv2.GetRegistries(sys); err != nil {
		return err
	}
	_, err := sysregistriesv2.UnqualifiedSearchRegistries(sys)
	return err
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

	// Keep the judge hermetic: no registries.conf, drop-ins, auth files or certificate directories from
	// the host. Empty ones rather than missing paths, which containers/image refuses ("not a directory").
	work, err := os.MkdirTemp("", "policy-judge-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "temporary directory: %v\n", err)
		os.Exit(2)
	}
	defer os.RemoveAll(work)
	emptyDir := func(name string) string {
		dir := filepath.Join(work, name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			os.Exit(2)
		}
		return dir
	}
	file := func(name, content string) string {
		path := filepath.Join(work, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			os.Exit(2)
		}
		return path
	}
	sys := &types.SystemContext{
		RegistriesDirPath:           *registriesD,
		SystemRegistriesConfPath:    *registriesConf,
		SystemRegistriesConfDirPath: emptyDir("registries.conf.d"),
		AuthFilePath:                file("auth.json", "{}"),
		DockerCertPath:              emptyDir("certs.d"),
	}
	if *registriesConf == "" {
		sys.SystemRegistriesConfPath = file("registries.conf", "")
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
