"""Test harnesses shared by the tests and the benchmarks: a loopback Hub server, an app launcher, naive references."""
