"""Settings split as in cookiecutter-django: only ``base`` reads the environment."""
