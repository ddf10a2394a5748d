"""The people of the load area: officials working their cases and reports, citizens on the portal.

Everything a user needs (tokens, its own cases and report, unit ids, the survey's answers step by
step) comes from the spec file that ``benchmarks.areas.load`` writes (``LOAD_SPEC``): this module
imports no Django. Each request is named ``<group>:<what>``; the group (``official``, ``citizen``)
is what the figures are split by. A request counts as an error unless it answers the status the
step expects (200, or the 302 of a form that went through); a 429 is an error like any other.

Officials (API, Bearer token; each has its own unit, its own cases and its own report, so that two
users never race for the same ``lock_version``): the work list of their unit's subtree (and, one time
in three, its next page), one of their cases, a case transition (suspend, then resume: a pair that
never runs out), and a report's figures saved as a draft (read, then ``PUT`` with its
``lock_version``).

Citizens (pages, cookies, CSRF, like a browser without the static files): the portal's home, a
commune's or a province's page, the petitions' public pages, a feedback filed through the public
form (with a solved ALTCHA challenge and the honeypot left empty), and a satisfaction survey
answered step by step to its thanks page, in a fresh session each time.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import secrets
import urllib.parse
from typing import Any

from locust import FastHttpUser, constant, task

SPEC: dict[str, Any] = {}
if os.environ.get("LOAD_SPEC"):
    with open(os.environ["LOAD_SPEC"], encoding="utf-8") as f:
        SPEC = json.load(f)

WAIT_S = float(SPEC.get("wait_s", 0))
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY_RE = re.compile(r'name="idempotency_key" value="([^"]+)"')
_official_ids = itertools.count()


def _expect(response: Any, status: int) -> bool:
    if response.status_code != status:
        body = (response.text or "")[:200] if response.status_code else str(response.error)
        response.failure(f"expected {status}, got {response.status_code}: {body}")
        return False
    response.success()
    return True


def _form(data: dict[str, Any]) -> str:
    return urllib.parse.urlencode(data, doseq=True)


FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


class Official(FastHttpUser):
    """An officer of a commune or a province, through the API."""

    wait_time = constant(WAIT_S)
    fixed_count = int(SPEC.get("officials_users", 0))

    def on_start(self) -> None:
        pool = SPEC["officials"]
        me = pool[next(_official_ids) % len(pool)]
        self.me = me
        self.rng = random.Random(me["token"][-8:])
        self.headers = {"Authorization": f"Bearer {me['token']}", "Accept": "application/json"}

    @task(4)
    def worklist(self) -> None:
        url = "/api/v1/petitions/worklist?limit=50"
        with self.client.get(url, name="official:worklist", headers=self.headers, catch_response=True) as r:
            if not _expect(r, 200):
                return
            following = r.json().get("next")
        if following and self.rng.random() < 1 / 3:
            cursor = urllib.parse.quote(str(following), safe="")
            with self.client.get(f"{url}&after={cursor}", name="official:worklist next", headers=self.headers,
                                 catch_response=True) as r:
                _expect(r, 200)

    @task(3)
    def view_case(self) -> None:
        pk = self.rng.choice(self.me["cases"])
        with self.client.get(f"/api/v1/petitions/{pk}", name="official:case", headers=self.headers,
                             catch_response=True) as r:
            _expect(r, 200)

    @task(1)
    def move_case(self) -> None:
        pk = self.rng.choice(self.me["cases"])
        with self.client.get(f"/api/v1/petitions/{pk}", name="official:case", headers=self.headers,
                             catch_response=True) as r:
            if not _expect(r, 200):
                return
            case = r.json()
        body: dict[str, Any] = {"expected_version": case["lock_version"]}
        if case["status"] == "suspended":
            body.update(action="resume", reason="Đã có kết quả giám định, tiếp tục giải quyết")
        else:
            body.update(action="suspend", reason="Chờ kết quả giám định của cơ quan chuyên môn")
        with self.client.post(f"/api/v1/petitions/{pk}/transitions", name=f"official:transition {body['action']}",
                              json=body, headers=self.headers, catch_response=True) as r:
            _expect(r, 200)

    @task(2)
    def enter_report(self) -> None:
        url = f"/api/v1/reports/submissions/{self.me['submission']}"
        with self.client.get(url, name="official:report", headers=self.headers, catch_response=True) as r:
            if not _expect(r, 200):
                return
            version = r.json()["lock_version"]
        values = self.rng.choice(self.me["values"])
        with self.client.request("PUT", f"{url}/values", name="official:report values", headers=self.headers,
                                 json={"lock_version": version, "values": values}, catch_response=True) as r:
            _expect(r, 200)


class Citizen(FastHttpUser):
    """Someone on the public portal, with a browser's cookies and no log-in."""

    wait_time = constant(WAIT_S)
    fixed_count = int(SPEC.get("citizens_users", 0))

    def on_start(self) -> None:
        self.c = SPEC["citizens"]
        self.rng = random.Random(secrets.randbits(32))
        self.headers = {"Accept-Language": "vi"}

    def _get(self, url: str, name: str, status: int = 200) -> Any:
        with self.client.get(url, name=name, headers=self.headers, allow_redirects=False, catch_response=True) as r:
            return r if _expect(r, status) else None

    def _post(self, url: str, data: dict[str, Any], name: str, status: int = 302) -> Any:
        headers = {**self.headers, **FORM_HEADERS, "Referer": self.host + url}
        with self.client.post(url, data=_form(data), name=name, headers=headers, allow_redirects=False,
                              catch_response=True) as r:
            return r if _expect(r, status) else None

    def _altcha(self) -> str | None:
        """Fetch a challenge and solve it as the widget would (cheap in the load settings)."""
        import altcha as altcha_lib

        with self.client.get(self.c["altcha_url"], name="citizen:altcha challenge", headers=self.headers,
                             catch_response=True) as r:
            if not _expect(r, 200):
                return None
            challenge = altcha_lib.Challenge.from_dict(r.json())
        solution = altcha_lib.solve_challenge(challenge, timeout=10)
        if solution is None:
            raise RuntimeError("the ALTCHA challenge could not be solved")
        return str(altcha_lib.Payload(challenge, solution).to_base64())

    @task(12)
    def commune_page(self) -> None:
        self._get(f"/public/units/{self.rng.choice(self.c['communes'])}/", "citizen:commune page")

    @task(4)
    def province_page(self) -> None:
        self._get(f"/public/units/{self.rng.choice(self.c['provinces'])}/", "citizen:province page")

    @task(2)
    def home(self) -> None:
        self._get("/public/", "citizen:home")

    @task(2)
    def petitions_page(self) -> None:
        self._get(self.rng.choice(self.c["petition_pages"]), "citizen:petitions page")

    @task(1)
    def feedback(self) -> None:
        unit = self.rng.choice(self.c["communes"])
        page = self._get(f"{self.c['submit_url']}?unit={unit}", "citizen:feedback form")
        if page is None:
            return
        csrf, key = CSRF_RE.search(page.text), KEY_RE.search(page.text)
        if csrf is None or key is None:
            page.failure("no CSRF token or idempotency key on the form")
            return
        payload = self._altcha()
        if payload is None:
            return
        text = self.rng.choice(self.c["feedback"])
        data = {
            "csrfmiddlewaretoken": csrf.group(1), "org_unit": unit, "kind": "feedback", "summary": text,
            "content": f"{text}. Đề nghị chính quyền xem xét, trả lời.", "name": "Người dân thử tải",
            "address": "Thôn Trung Tâm", "contact": "", "consent": "on", "idempotency_key": key.group(1),
            "website": "", "altcha": payload,
        }
        if self._post(f"{self.c['submit_url']}?unit={unit}", data, "citizen:feedback send") is not None:
            self._get(self.c["submitted_url"], "citizen:feedback sent")

    @task(1)
    def survey(self) -> None:
        self.client.cookiejar.clear()  # one visit, one respondent: a new scan session
        survey = self.rng.choice(self.c["surveys"])
        base = f"/public/surveys/{survey['code']}/"
        page = self._get(base, "citizen:survey start")
        if page is None:
            return
        steps = survey["steps"]
        answers = self.rng.choice(survey["answers"])
        for n, names in enumerate(steps, start=1):
            step = f"{base}step/{n}/"
            page = self._get(step, "citizen:survey step")
            if page is None:
                return
            csrf = CSRF_RE.search(page.text)
            if csrf is None:
                page.failure("no CSRF token on the step")
                return
            data: dict[str, Any] = {"csrfmiddlewaretoken": csrf.group(1), "nav": "next"}
            data.update({k: v for k, v in answers.items() if k in names})
            last = n == len(steps)
            if last:
                payload = self._altcha()
                if payload is None:
                    return
                data["altcha"] = payload
            if self._post(step, data, "citizen:survey send" if last else "citizen:survey next") is None:
                return
        self._get(f"{base}thanks/", "citizen:survey thanks")
