"""zhanyi (战疫): a self-hosted command platform for a city's epidemic response."""

__version__ = "0.1.0"
