from django.apps import AppConfig


class TransmissionConfig(AppConfig):
    name = "transmission"
    verbose_name = "Transmission"

    def ready(self) -> None:
        from transmission import receivers

        receivers.connect()
