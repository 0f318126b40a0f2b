"""The offline engine: the program rendered under Pulumi's mocks (answering in GCP's formats), the engine's own
registrations and config hand-over, and the policy pack driven over the analyzer protocol as the engine drives it;
the component's plugin started and driven over the provider protocol, against a resource monitor and engine served
here (`provider_plugin`, `resource_monitor`), with Pulumi's package meta-schema (`pulumi_metaschema/`).

What GCP answers (IDs, computed outputs, invokes) is declared once in `gcp_declarations`, read by the mocks and by
the stand-in `gcp` provider plugin (`gcp_provider`) that the real engine runs the program against (`engine`).

The fast suite is built on it, and so are the offline commands (`make preview`, the fleet view), which are
this harness made useful: nothing here talks to a cloud.
"""
