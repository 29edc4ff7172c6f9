"""Windows events as the emulation builds them, before any writer gives them a file format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Values of an event's EventData; writers render them per format (XML text, JSON scalar).
Value = str | int | bool


@dataclass(frozen=True, slots=True)
class Provider:
    """An event provider and the System header fields its events carry."""

    name: str
    guid: str
    channel: str
    keywords: str


SYSMON = Provider(
    "Microsoft-Windows-Sysmon",
    "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}",
    "Microsoft-Windows-Sysmon/Operational",
    "0x8000000000000000",
)
SECURITY = Provider(
    "Microsoft-Windows-Security-Auditing",
    "{54849625-5478-4994-a5ba-3e3b0328c30d}",
    "Security",
    "0x8020000000000000",
)
POWERSHELL = Provider(
    "Microsoft-Windows-PowerShell",
    "{a0c1853b-5c40-4b15-8766-3cf1c58f985a}",
    "Microsoft-Windows-PowerShell/Operational",
    "0x0",
)
BITS = Provider(
    "Microsoft-Windows-Bits-Client",
    "{ef1cc15b-46c1-414e-bb95-e76b077bd51e}",
    "Microsoft-Windows-Bits-Client/Operational",
    "0x4000000000000000",
)

# Sysmon's task number of each event id (the System/Task field Windows records).
SYSMON_TASKS = {1: 1, 3: 3, 11: 11, 13: 13, 22: 22}


@dataclass(frozen=True, slots=True)
class Process:
    """A process the emulation started: what its Sysmon 1 event says about it."""

    computer: str
    guid: str
    pid: int
    image: str
    command_line: str
    user: str
    integrity: str
    started: datetime
    current_directory: str
    logon_id: str
    parent: Process | None = None
    original_file_name: str = ""

    @property
    def name(self) -> str:
        return self.image.rsplit("\\", 1)[-1]


@dataclass(slots=True)
class WinEvent:
    """One event: System header fields and the EventData pairs in the provider's order."""

    provider: Provider
    event_id: int
    computer: str
    time: datetime
    data: tuple[tuple[str, Value], ...]
    execution_pid: int
    user_sid: str = "S-1-5-18"
    version: int = 0
    level: int = 4
    task: int = 0
    opcode: int = 0
    record_id: int = 0
    correlation: str | None = None

    @property
    def channel(self) -> str:
        return self.provider.channel

    def get(self, name: str) -> Value | None:
        return next((v for k, v in self.data if k == name), None)
