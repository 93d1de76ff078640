"""An e-mail backend that looks like production (not a development backend) for tests."""

from django.core.mail.backends.base import BaseEmailBackend

sent: list = []
opened: list = []


class RecordingBackend(BaseEmailBackend):
    def open(self):
        opened.append(self)
        return True

    def send_messages(self, messages):
        for message in messages:
            if "refuse" in message.to[0]:
                raise OSError("550 mailbox unavailable")
        sent.extend(messages)
        return len(messages)
