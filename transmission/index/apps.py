from django.apps import AppConfig


class TransmissionIndexConfig(AppConfig):
    name = "transmission.index"
    label = "transmission_index"
    verbose_name = "Transmission index"
