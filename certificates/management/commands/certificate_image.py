"""Page one of a certificate as a PNG, for the README or a quick look without a PDF viewer."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from certificates.models import Certificate
from certificates.services import ensure_pdf


class Command(BaseCommand):
    help = (
        "Save page one of a certificate's stored PDF as a PNG image (made first if it has none "
        "yet). Needs pypdfium2, a development dependency: run `make install-dev` first."
    )

    def add_arguments(self, parser):
        parser.add_argument("serial", help="The certificate's serial, such as 68-2026-00001.")
        parser.add_argument("out", type=Path, help="Where to write the PNG.")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.5,
            help="Pixels per PDF point (1.5 gives 1263 × 893 for A4 landscape).",
        )

    def handle(self, *args, serial: str, out: Path, scale: float, **options):
        try:
            import pypdfium2
        except ImportError:
            raise CommandError(
                "pypdfium2 is not installed; it is a development dependency: make install-dev"
            ) from None
        if not 0.1 <= scale <= 10:
            raise CommandError("--scale must be between 0.1 and 10.")
        certificate = Certificate.objects.filter(serial=serial.strip()).first()
        if certificate is None:
            raise CommandError(f"No certificate has the serial {serial!r}.")
        certificate = ensure_pdf(certificate=certificate)
        with certificate.pdf.open("rb") as stored:
            data = stored.read()
        document = pypdfium2.PdfDocument(data)
        try:
            image = document[0].render(scale=scale).to_pil()
        finally:
            document.close()
        out.parent.mkdir(parents=True, exist_ok=True)
        image.save(out, format="PNG")
        self.stdout.write(
            self.style.SUCCESS(f"{certificate.serial}: {image.width} × {image.height} → {out}")
        )
