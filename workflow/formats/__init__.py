"""The official report formats as data (gov2019, gov2021 TOML), the spec derived from them, where
each field sits in the template, and the seed report. Pure. Imports: domain."""
