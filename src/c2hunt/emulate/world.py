"""The emulated estate: hosts, their standing processes, and the scenarios' ground truth."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from c2hunt.emulate.host import Host
from c2hunt.emulate.model import Process
from c2hunt.knowledge import Knowledge

SCHEDULE_SERVICE = "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule"
BITS_SERVICE = "C:\\Windows\\System32\\svchost.exe -k netsvcs -p -s BITS"


@dataclass(frozen=True, slots=True)
class Scenario:
    """Ground truth for one scenario: who acted, and what a correct hunt says about it.

    `process_guids` are the processes whose connections the hunt must report (tests, evidence
    sources, false positives without tuning) or must not report (baseline). A "source"
    scenario proves a finding made from telemetry other than the process's own Sysmon 3 (a
    BITS job, Security 5156) and is checked like a test. `signals` are the behavioural
    signals the hunt must attach to those findings; `suppression` names the packaged example
    suppression that silences a false-positive family.
    """

    name: str
    kind: str  # "test" (the spec's four), "source", "baseline" or "false_positive"
    title: str
    computers: tuple[str, ...]
    process_guids: tuple[str, ...]
    destinations: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    suppression: str | None = None
    finding_sources: tuple[str, ...] = ()  # the `dest_source`s its findings must come from


@dataclass(slots=True)
class Standing:
    """Processes every host has running before the emulated window opens."""

    services: Process
    schedule: Process
    bits: Process
    explorer: Process | None


@dataclass(slots=True)
class World:
    rng: random.Random
    knowledge: Knowledge
    start: datetime
    hours: float
    hosts: dict[str, Host] = field(default_factory=dict)
    standing: dict[str, Standing] = field(default_factory=dict)

    def at(self, hours: float, spread_minutes: float = 0.0) -> datetime:
        """A time `hours` into the window, moved by up to `spread_minutes` either way."""
        offset = hours * 3600 + self.rng.uniform(-spread_minutes, spread_minutes) * 60
        return self.start + timedelta(seconds=offset, milliseconds=self.rng.randint(0, 999))

    def host(
        self,
        computer: str,
        user: str | None,
        *,
        audit: bool = False,
        audit_processes: bool = False,
        sysmon_network: bool = True,
    ) -> Host:
        """The host named `computer`, created with its standing processes on first use.

        `audit` logs Security 5156, `audit_processes` Security 4688; `sysmon_network=False`
        is a Sysmon configuration without network connection events.
        """
        if computer in self.hosts:
            return self.hosts[computer]
        address = f"10.20.{len(self.hosts) + 10}.{self.rng.randint(20, 240)}"
        host = Host(
            self.rng,
            self.knowledge,
            computer,
            address,
            audit_connections=audit,
            audit_processes=audit_processes,
            sysmon_network=sysmon_network,
        )
        boot = self.start - timedelta(minutes=self.rng.randint(20, 50))
        services = host.root(
            "C:\\Windows\\System32\\services.exe", "C:\\Windows\\system32\\services.exe", boot
        )
        schedule = host.spawn(
            services,
            "C:\\Windows\\System32\\svchost.exe",
            SCHEDULE_SERVICE,
            boot + timedelta(seconds=4),
        )
        bits = host.spawn(
            services,
            "C:\\Windows\\System32\\svchost.exe",
            BITS_SERVICE,
            boot + timedelta(seconds=9),
        )
        explorer = None
        if user:
            explorer = host.root(
                "C:\\Windows\\explorer.exe",
                "C:\\Windows\\Explorer.EXE",
                boot + timedelta(minutes=3),
                user=user,
            )
        self.hosts[computer] = host
        self.standing[computer] = Standing(services, schedule, bits, explorer)
        return host

    def domain(self, domain: str) -> str:
        """A service domain, checked against the knowledge so scenarios never invent one."""
        return self.knowledge.service_for(domain).domain
