"""`manage.py answers_doc`: print docs/answers.md from the questionnaire definitions (`make docs`)."""

from django.core.management.base import BaseCommand

from service.questionnaires.answers_doc import render_answers_doc


class Command(BaseCommand):
    help = "Print the answer-key reference (docs/answers.md) generated from the questionnaire definitions."

    def handle(self, *args, **options):
        self.stdout.write(render_answers_doc(), ending="")
