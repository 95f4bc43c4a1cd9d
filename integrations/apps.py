from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from integrations import receivers

        receivers.connect_activation_receivers()
        receivers.connect_request_receivers()
