module sdkgen

go 1.24

require github.com/pulumi/pulumi/pkg/v3 v3.274.0
