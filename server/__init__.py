"""App assembly: configuration, the Connexion app, the error envelope wiring and the CLI."""
