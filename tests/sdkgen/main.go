// Command sdkgen writes the Go or Node.js SDK of a Pulumi package schema the way `pulumi package add` generates
// a local SDK: Pulumi's own code generators, with the schema marked `supportPack` as local SDKs are (the Go
// module is then github.com/<namespace>/pulumi-<name>/sdk/go, or example.com/pulumi-<name>/sdk/go for a schema
// with no namespace; `pulumi package add` from a git source sets the namespace to the repository's owner).
//
//	sdkgen SCHEMA.json OUTPUT-DIR go|nodejs
//
// The examples' tests (tests/test_example_sdks.py) compile examples/go and type-check examples/typescript
// against what it writes, without the Pulumi CLI.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	nodejsgen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: sdkgen SCHEMA.json OUTPUT-DIR go|nodejs")
		os.Exit(2)
	}
	if err := generate(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "sdkgen:", err)
		os.Exit(1)
	}
}

func generate(schemaPath, output, language string) error {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return err
	}
	spec.Meta = &schema.MetadataSpec{SupportPack: true}
	loader := schema.NewPluginLoader(nil) // consulted only for other packages' types; this schema references none
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	var files map[string][]byte
	switch language {
	case "go":
		files, err = gogen.GeneratePackage("pulumi-package-add", pkg, nil)
	case "nodejs":
		files, err = nodejsgen.GeneratePackage("pulumi-package-add", pkg, nil, nil, true, loader)
	default:
		err = fmt.Errorf("no generator for %q (go or nodejs)", language)
	}
	if err != nil {
		return err
	}
	for name, content := range files {
		path := filepath.Join(output, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
