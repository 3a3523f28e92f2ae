# terraform-provider-openstack 3.4.0, the version the bindings were made from. Written into every
# synthesized stack that uses the provider (targets/openstack/provider-lock.ts), where `terraform init`
# checks the package it installs against these hashes and adds the other providers.
# zh: the SHA-256 of each platform's release archive (the registry's SHA256SUMS of 3.4.0); h1: one
# platform's unpacked package. Taken from a lock file `terraform init` wrote against the public
# registry; the linux_amd64 archive's hash (11b3c88e...) is also recorded by an independent project
# that downloaded it. Nothing offline can check them all: see the README's OpenStack section.
provider "registry.terraform.io/terraform-provider-openstack/openstack" {
  version     = "3.4.0"
  constraints = "3.4.0"
  hashes = [
    "h1:YMwKmPy+svf02jWyflqaPaQVX3eIXciwGeA8uwYgRBw=",
    "zh:11b3c88e24197a29b13cf5ab41771944bd16707b561645323e8cbb4f1da00b7b",
    "zh:1c3e89cf19118fc07d7b04257251fc9897e722c16e0a0df7b07fcd261f8c12e7",
    "zh:2dc60dbbbb822fbb1e7b17e3b89e3e6a7a8fe54a716d4477d2fa40f836c4de0f",
    "zh:68f851e333f0ab2367e9b2680739d47e4151ca9f803934ef265f6fa70a28e6e0",
    "zh:6995b0bcae5a291d7b0a4d3a5df109eb97f8d1d34be6eb27768fe29b5e0d8def",
    "zh:7b68bf81891a0445c543629d4d160226a6f2d5e8e5ee4baf21e0221412437d17",
    "zh:8f117b8b17280598a92c6202b183a77168fe573397cfb597b9c2028da281846d",
    "zh:b0a23b990eb9260e9616fd8471f11b37485f92df0e5eef46cd286f87396b0e0a",
    "zh:baa5052ab3207f3a996c1fd715935d79a4e1c57d3d24e3c549b6c20ea9307e38",
    "zh:c012cbda058aa7b76b718074fd73829ecd4009ad98e3dafe496e5f26099625c0",
    "zh:c1c95e5dbe546a935a62c63814aef04718b58dd4258e5da40d681b43322924e9",
    "zh:c720bdbdf432041f99572bac40d24659239b989cbf1540f92ebb441900ac8bae",
    "zh:c92ac802a3dd1abbf9c9ccf0aba1f261fe9f8c2e7fafc196c7119b73c25a0772",
    "zh:fd4faf25ee72acef4ab12c93ea9c7a5ccb41315e8851609e08b37d3c91ea6584",
    "zh:ff347392412fc7950635e2c1c5bb878d88b661c1c5ba052edd290d971a14028f",
  ]
}
