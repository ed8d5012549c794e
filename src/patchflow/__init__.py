"""patchflow: from a Linux kernel commit to a patch maintainers accept on the first round."""

__version__ = "0.1.0"
