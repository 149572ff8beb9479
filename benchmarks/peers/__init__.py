"""The two tools of the side-by-side comparison, run on the same inputs."""
