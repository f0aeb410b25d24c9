"""The pages in a real browser (Debian's Chromium, headless) against the local stack.

A citizen files a report through the Balai Warga form (with a photo), a neighbour finds
it among the nearby reports on the form and supports it, lurah.gambir finds it in the
queue, works it and finishes it with before/after photos, the validator accepts it, and
the citizen sees the timeline and the supporter, rates it, then reopens it with a photo
("Masalah muncul lagi"). Every page is screenshotted into artifacts/screenshots/
(phone-sized), and no page may log a Content-Security-Policy violation or a script error.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local.config import PROJECT_DIR
from tests.e2e.stack_support import PASSWORD, start_with_officers

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (PyPI) not installed")

CHROMIUM = os.environ.get("CRM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
VENDOR = PROJECT_DIR / "chalicelib" / "static" / "vendor"
SCREENSHOTS = PROJECT_DIR / "artifacts" / "screenshots"
# Debian's Chromium, headless, with nothing that reaches the network on its own.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
MONAS = (-6.175392, 106.827153)  # in Kelurahan Gambir

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"Chromium not installed ({CHROMIUM}): apt-get install -y chromium"),
    pytest.mark.skipif(not (VENDOR / "leaflet.js").exists(),
                       reason="vendored browser libraries missing: run `make vendor`"),
]


def png(width: int = 64, height: int = 48, rgb: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    """A small valid PNG, made without an imaging library."""
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + \
        chunk(b"IEND", b"")


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Visit:
    """One browser context (a phone), its console problems and numbered screenshots."""

    def __init__(self, browser: Any, base: str, name: str, width: int = 390) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 844},
                                           base_url=base, locale="id-ID")
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.name = name
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))

    def _console(self, message: Any) -> None:
        text = message.text
        if message.type == "error" and "favicon" not in text and "404" not in text:
            self.problems.append(f"console: {text}")
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.problems.append(f"CSP: {text}")

    def shot(self, label: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.wait_for_load_state("networkidle")
        self.page.screenshot(path=str(SCREENSHOTS / f"{self.name}-{label}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
        assert not self.problems, "\n".join(self.problems)


def sign_in(visit: Visit, username: str) -> None:
    page = visit.page
    page.goto("/petugas")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/petugas/laporan")


def wait_routed(stack: Any, ticket: str, token: str, timeout: float = 15) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        report = requests.get(f"{stack.url}/reports/{ticket}", params={"token": token},
                              timeout=10).json()
        if report.get("unit"):
            return report
        if time.monotonic() > deadline:
            pytest.fail(f"{ticket} never routed:\n{stack.output()}")
        time.sleep(0.1)


def upload(visit: Visit, kind: str, path: Path) -> None:
    page = visit.page
    page.select_option("#foto-jenis", kind)
    page.set_input_files("#foto-berkas", str(path))
    before = page.locator("#foto-siap li").count()
    page.click("#foto-unggah")
    page.locator("#foto-siap li").nth(before).wait_for()


def test_a_report_from_the_form_to_the_rating(stack: Any, browser: Any,
                                               tmp_path: Path) -> None:
    start_with_officers(stack)
    photo = tmp_path / "lubang.png"
    photo.write_bytes(png())
    after_photo = tmp_path / "sesudah.png"
    after_photo.write_bytes(png(rgb=(40, 160, 60)))

    # -- the citizen files a report ---------------------------------------------------
    citizen = Visit(browser, stack.url, "warga")
    page = citizen.page
    page.goto("/")
    citizen.shot("01-beranda")
    page.click("text=Buat laporan")
    page.wait_for_selector("#peta-pilih[data-ready]")  # boundaries drawn
    page.select_option("#category", "jalan-rusak")
    page.fill("#description", "Jalan berlubang dalam di depan Stasiun Gambir <b>bahaya</b>")
    page.click("#peta-pilih", position={"x": 150, "y": 120})
    assert page.input_value("#lat") and page.input_value("#lon")  # the map picked a point
    page.fill("#lat", str(MONAS[0]))
    page.fill("#lon", str(MONAS[1]))
    page.dispatch_event("#lat", "change")
    page.fill("#address", "Jl. Medan Merdeka Timur")
    page.select_option("#kelurahan_code", "31.71.01.1001")
    page.fill("#name", "Siti Warga")
    page.fill("#phone", "081234567890")
    page.set_input_files("#foto", str(photo))
    citizen.shot("02-lapor")
    page.click("#form-lapor button[type=submit]")
    page.wait_for_url("**/lapor/terkirim/**")
    assert "foto=gagal" not in page.url
    citizen.shot("03-terkirim")
    ticket = page.inner_text("#tiket").strip()
    tracking = page.get_attribute("#tautan-lacak", "href")
    assert tracking and tracking.startswith(f"/lacak/{ticket}?token=")
    token = re.search(r"token=([^&]+)", tracking).group(1)
    routed = wait_routed(stack, ticket, token)
    assert routed["unit"]["code"] == "31.71.01.1001"
    assert [p["kind"] for p in routed["photos"]] == ["citizen"]

    # -- a neighbour about to report the same hole supports it instead ----------------------
    neighbour = Visit(browser, stack.url, "tetangga")
    page = neighbour.page
    page.goto("/lapor")
    page.wait_for_selector("#peta-pilih[data-ready]")
    page.select_option("#category", "jalan-rusak")
    page.fill("#phone", "081298765432")
    page.fill("#lat", str(MONAS[0] + 0.0001))
    page.fill("#lon", str(MONAS[1]))
    page.dispatch_event("#lat", "change")
    nearby = page.locator(f"#daftar-sekitar li[data-ticket='{ticket}']")
    nearby.wait_for()
    assert "<b>bahaya</b>" in nearby.inner_text()  # shown as text, not markup
    nearby.locator("button.dukung").click()
    sync_api.expect(page.locator("#dukung-status")).to_contain_text(ticket)
    sync_api.expect(nearby.locator(".n-count")).to_have_text("1 pendukung")
    neighbour.shot("01-dukung-laporan-sekitar")
    neighbour.close()

    # -- lurah.gambir finds it and finishes it with photos ------------------------------
    lurah = Visit(browser, stack.url, "lurah")
    sign_in(lurah, "lurah.gambir")
    page = lurah.page
    lurah.shot("04-antrian")
    page.click(f"a[href='/petugas/laporan/{ticket}']")
    page.wait_for_selector("#form-aksi")
    assert "Siti Warga" in page.content()  # officers see the contact
    lurah.shot("05-laporan")
    page.fill("#note", "Petugas PPSU menuju lokasi")
    page.click("button[value=proses]")
    page.wait_for_selector(".alert-success")
    upload(lurah, "before", photo)
    upload(lurah, "after", after_photo)
    page.fill("#note", "Lubang sudah ditambal")
    lurah.shot("06-selesai-dengan-foto")
    page.click("button[value=selesai]")
    page.wait_for_selector(".alert-success")
    assert "Menunggu Validasi" in page.inner_text(".status-line")
    lurah.shot("07-menunggu-validasi")
    page.goto("/petugas/peta")
    page.wait_for_selector("#peta-laporan[data-ready]")
    lurah.shot("08-peta")
    lurah.close()

    # -- the validator accepts the follow-up ------------------------------------------------
    validator = Visit(browser, stack.url, "validator-desktop", width=1280)
    sign_in(validator, "validator.biropem")
    page = validator.page
    page.click(f"a[href='/petugas/laporan/{ticket}']")
    page.click("button[value=validasi]")
    page.wait_for_selector(".alert-success")
    assert "Selesai" in page.inner_text(".status-line")
    validator.shot("09-tervalidasi")
    page.goto("/pimpinan")
    page.wait_for_selector("#peta-kepadatan[data-ready]")
    sync_api.expect(page.locator("#kinerja-status")).not_to_have_text("Memuat…")
    # The validator's area is all Jakarta: the follow-up just accepted is in the
    # distribution of finish times, drawn as a chart and listed in its table.
    sync_api.expect(page.locator("#tabel-sebaran tbody tr")).to_have_count(5)
    sync_api.expect(page.locator("#sebaran-total")).not_to_have_text("0")
    assert page.evaluate("!!Chart.getChart(document.getElementById('grafik-sebaran'))")
    # Reports received per kelurahan in the period: the report filed today is counted.
    sync_api.expect(page.locator("#kepadatan-total")).not_to_have_text("0")
    validator.shot("10-pimpinan")
    # A week chosen: the density map and its table are refilled for it, and the SKM
    # section says the survey is quarterly instead of failing.
    week = page.locator("#period option[value*='-W']").first.get_attribute("value")
    page.select_option("#period", week)
    sync_api.expect(page.locator("#kepadatan-judul")).to_contain_text("Minggu ke-")
    sync_api.expect(page.locator("#kepadatan-total")).not_to_have_text("0")
    sync_api.expect(page.locator("#sebaran-judul")).to_contain_text("Minggu ke-")
    sync_api.expect(page.locator("#skm-status")).to_contain_text("triwulan")
    validator.close()

    # -- the citizen sees the timeline and rates the result ---------------------------------
    page = citizen.page
    page.goto(tracking)
    statuses = page.locator(".timeline .badge").all_inner_texts()
    assert statuses[-1] == "Selesai" and "Menunggu Validasi" in statuses
    assert page.locator(".photos img").count() == 3  # citizen, before, after
    assert "<b>bahaya</b>" in page.inner_text(".description")  # shown as text, not markup
    citizen.shot("11-lacak-selesai")
    page.check("input[name=stars][value='5']")
    page.fill("#comment", "Cepat sekali, terima kasih")
    page.click("#nilai button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert "★★★★★" in page.content()
    assert page.inner_text("#jumlah-pendukung") == "1"  # the neighbour
    citizen.shot("12-dinilai")
    # -- the hole is back a few days later: reopened with a recent photo ----------------------
    page.fill("#catatan-buka", "Lubang muncul lagi setelah hujan")
    page.set_input_files("#foto-buka", str(photo))
    page.click("#form-buka-kembali button[type=submit]")
    page.wait_for_url("**pesan=dibuka**")
    assert "foto=gagal" not in page.url
    assert "Proses" in page.inner_text(".status-line")
    assert page.locator(".photos img").count() == 4  # and the new citizen photo
    citizen.shot("12b-dibuka-kembali")
    page.goto(tracking + "&lang=en")
    assert page.inner_text("h2 >> nth=1") in ("Photos", "Description", "Timeline")
    citizen.shot("13-lacak-english")
    page.goto("/survei/contoh-token")
    page.wait_for_selector("#skm-status.alert")
    citizen.shot("14-survei-tidak-ada")
    answer_survey(citizen)
    citizen.close()


QUESTIONNAIRE = {
    "periode": "2026-Q3", "periode_label_id": "Triwulan III 2026", "periode_label_en": "Q3 2026",
    "unit": {"kode": "31.71.01.1001", "nama": "Kelurahan Gambir"},
    "ditutup": {"utc": "2026-10-15T18:00:00Z", "wib": "16 Okt 2026 01:00 WIB"},
    "unsur": [], "komentar": {"wajib": False, "maks": 1000},
}


def answer_survey(visit: Visit) -> None:
    """The SKM page against the contract of GET/POST /skm/{token} (served here by the test:
    a real invitation needs a quarter's launch)."""
    sent: list[dict[str, Any]] = []

    def serve(route: Any) -> None:
        if route.request.method == "POST":
            sent.append(route.request.post_data_json)
            route.fulfill(status=201, json={"diterima": True, "periode": "2026-Q3"})
        else:
            route.fulfill(status=200, json=QUESTIONNAIRE)

    page = visit.page
    page.route("**/skm/uji-token", serve)
    page.goto("/survei/uji-token?lang=id")
    sync_api.expect(page.locator("#skm-untuk")).to_contain_text("Kelurahan Gambir")
    for number in range(1, 10):
        page.check(f"input[name=U{number}][value='{4 if number % 2 else 3}']")
    page.fill("#komentar", "Petugas ramah")
    visit.shot("15-survei")
    page.click("#form-skm button[type=submit]")
    sync_api.expect(page.locator("#skm-status")).to_contain_text("Terima kasih")
    assert sent == [{"jawaban": {f"U{n}": 4 if n % 2 else 3 for n in range(1, 10)},
                     "komentar": "Petugas ramah"}]
    visit.shot("16-survei-terkirim")
