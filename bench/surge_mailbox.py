"""The surge's test mailbox: a local SMTP server (aiosmtpd) that Kiln sends its real mail to,
through Django's SMTP backend, as it would to a mail relay. Each message is kept as
<dir>/<recipient>.eml, so the locust user that signed up reads its verification link directly.

    python bench/surge_mailbox.py <dir> <port>    (deploy/topology.py starts it)
"""

import sys
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class ByRecipient:
    def __init__(self, folder: Path):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        for rcpt in envelope.rcpt_tos:
            name = rcpt.lower().replace("/", "_")
            tmp = self.folder / f".{name}.tmp"
            tmp.write_bytes(envelope.original_content or envelope.content)
            tmp.replace(self.folder / f"{name}.eml")  # whole, or not there yet
        return "250 Message accepted for delivery"


def main() -> int:
    folder, port = Path(sys.argv[1]), int(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(ByRecipient(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"mailbox on 127.0.0.1:{port}, writing to {folder}", flush=True)
    threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
