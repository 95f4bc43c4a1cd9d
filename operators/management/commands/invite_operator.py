"""``kommunal invite_operator EMAIL``: a one-time link to enrol the second factor (e.g. the first admin)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from operators import actions, roles


class Command(BaseCommand):
    help = "E-mail (and print) a one-time link with which an operator sets up the second factor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="E-mail address of the operator's platform account.")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None or roles.role_of(user) is None:
            raise CommandError(f"{email} is not an operator: create the account and give it a role first.")
        path = actions.invite_operator(user, actor="cli")
        hours = settings.KOMMUNAL_OPERATOR_INVITATION_HOURS
        self.stdout.write(f"Enrolment link for {user.email} (valid {hours} hours, once):")
        self.stdout.write(settings.KOMMUNAL_PUBLIC_URL + path)
