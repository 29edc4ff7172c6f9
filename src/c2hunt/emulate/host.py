"""One emulated Windows host: starts processes and records the events Windows would log.

Every event of a host comes from a method here, so GUIDs, PIDs, parent links, users and times
stay consistent: a connection is made by a process that was started, after it started, and a
DNS query comes a few milliseconds before the connection it explains.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from c2hunt.emulate.model import BITS, POWERSHELL, SECURITY, SYSMON, Process, Value, WinEvent
from c2hunt.emulate.network import resolve
from c2hunt.knowledge import Knowledge

SYSTEM_USER = "NT AUTHORITY\\SYSTEM"
SYSTEM_SID = "S-1-5-18"
_DOMAIN_SID = "S-1-5-21-3387201948-2209311620-1486371922"
_ZERO_GUID = "{00000000-0000-0000-0000-000000000000}"


def utc_text(at: datetime) -> str:
    """A time as Sysmon writes UtcTime: `2024-05-14 08:00:00.123`."""
    return at.strftime("%Y-%m-%d %H:%M:%S.") + f"{at.microsecond // 1000:03d}"


def device_path(image: str) -> str:
    """A file path as the Windows Filtering Platform names an application in Security 5156."""
    return "\\device\\harddiskvolume3" + image[2:].lower()


_LABELS = {
    "Low": "S-1-16-4096",
    "Medium": "S-1-16-8192",
    "High": "S-1-16-12288",
    "System": "S-1-16-16384",
}


class Host:
    """A Windows host with Sysmon, Security auditing, PowerShell logging and BITS logs.

    `audit_connections` adds Security 5156 for every connection, `audit_processes` Security
    4688 for every process start; `sysmon_network=False` is a Sysmon configuration that logs
    no network connections (Sysmon 1, 11, 13 and 22 still are).
    """

    def __init__(
        self,
        rng: random.Random,
        knowledge: Knowledge,
        computer: str,
        address: str,
        *,
        audit_connections: bool = False,
        audit_processes: bool = False,
        sysmon_network: bool = True,
    ) -> None:
        self.rng = rng
        self.knowledge = knowledge
        self.computer = computer
        self.address = address
        self.audit_connections = audit_connections
        self.audit_processes = audit_processes
        self.sysmon_network = sysmon_network
        self.events: list[WinEvent] = []
        self.processes: list[Process] = []
        self.roots: set[str] = set()
        self._pids: set[int] = {0, 4}
        self._guid_prefix = f"{rng.getrandbits(32):08x}"
        self._guid_counter = rng.randrange(0x100, 0x800)
        self._logons: dict[str, str] = {}
        self._sysmon_pid = self._new_pid()
        self._lsass_pid = self._new_pid()

    # Identity -----------------------------------------------------------------------------

    def _new_pid(self) -> int:
        while True:
            pid = self.rng.randrange(400, 16000, 4)
            if pid not in self._pids:
                self._pids.add(pid)
                return pid

    def _new_guid(self, at: datetime) -> str:
        self._guid_counter += 1
        stamp = int(at.timestamp())
        return (
            f"{{{self._guid_prefix}-{stamp >> 16 & 0xFFFF:04x}-{stamp & 0xFFFF:04x}-"
            f"{self._guid_counter & 0xFFFF:04x}-{self._guid_counter >> 16:08x}0700}}"
        )

    def sid(self, user: str) -> str:
        """The SID of a user; domain users get a stable RID from their name."""
        if user == SYSTEM_USER:
            return SYSTEM_SID
        rid = 1100 + int(hashlib.sha256(user.lower().encode()).hexdigest()[:4], 16) % 4000
        return f"{_DOMAIN_SID}-{rid}"

    def _logon_id(self, user: str) -> str:
        if user == SYSTEM_USER:
            return "0x3e7"
        if user not in self._logons:
            self._logons[user] = f"0x{self.rng.randrange(0x10000, 0xFFFFFF):x}"
        return self._logons[user]

    def _original_file_name(self, image: str) -> str:
        name = image.rsplit("\\", 1)[-1]
        binary = next((b for b in self.knowledge.binaries if b.image == name.lower()), None)
        return (binary.original_file_name if binary else None) or name

    # Events -------------------------------------------------------------------------------

    def _emit(
        self,
        provider_event: tuple[str, int],
        at: datetime,
        data: list[tuple[str, Value]],
        *,
        pid: int,
        sid: str = SYSTEM_SID,
        **header: int | str | None,
    ) -> WinEvent:
        provider = {"sysmon": SYSMON, "security": SECURITY, "powershell": POWERSHELL, "bits": BITS}[
            provider_event[0]
        ]
        event = WinEvent(provider, provider_event[1], self.computer, at, tuple(data), pid, sid)
        for key, value in header.items():
            setattr(event, key, value)
        self.events.append(event)
        return event

    def _sysmon(self, event_id: int, at: datetime, data: list[tuple[str, Value]]) -> WinEvent:
        version = {1: 5, 3: 5, 11: 2, 13: 2, 22: 5}[event_id]
        head = (
            [("RuleName", "-"), ("EventType", "SetValue")]
            if event_id == 13
            else [("RuleName", "-")]
        )
        body = [*head, ("UtcTime", utc_text(at)), *data]
        return self._emit(
            ("sysmon", event_id), at, body, pid=self._sysmon_pid, version=version, task=event_id
        )

    def root(self, image: str, command_line: str, at: datetime, user: str = SYSTEM_USER) -> Process:
        """A process started before the emulated window by a parent Sysmon never saw."""
        process = self.spawn(None, image, command_line, at, user=user)
        self.roots.add(process.guid)
        return process

    def spawn(
        self,
        parent: Process | None,
        image: str,
        command_line: str,
        at: datetime,
        *,
        user: str | None = None,
        integrity: str | None = None,
        cwd: str | None = None,
    ) -> Process:
        """Start a process (Sysmon 1); the user and integrity level default to the parent's."""
        user = user or (parent.user if parent else SYSTEM_USER)
        integrity = integrity or (
            "System" if user == SYSTEM_USER else parent.integrity if parent else "Medium"
        )
        process = Process(
            computer=self.computer,
            guid=self._new_guid(at),
            pid=self._new_pid(),
            image=image,
            command_line=command_line,
            user=user,
            integrity=integrity,
            started=at,
            current_directory=cwd
            or (parent.current_directory if parent else "C:\\Windows\\system32\\"),
            logon_id=self._logon_id(user),
            parent=parent,
            original_file_name=self._original_file_name(image),
        )
        self.processes.append(process)
        self._sysmon(1, at, self._process_create_data(process))
        if self.audit_processes:
            self.audited_creation(process)
        return process

    def audited_creation(self, p: Process) -> None:
        """Security 4688: a new process was created (with command line auditing on)."""
        parent = p.parent
        creator = parent.user if parent else SYSTEM_USER
        domain, _, account = creator.rpartition("\\")
        target_domain, _, target = p.user.rpartition("\\")
        self._emit(
            ("security", 4688),
            p.started,
            [
                ("SubjectUserSid", self.sid(creator)),
                ("SubjectUserName", account),
                ("SubjectDomainName", domain),
                ("SubjectLogonId", self._logon_id(creator)),
                ("NewProcessId", f"0x{p.pid:x}"),
                ("NewProcessName", p.image),
                ("TokenElevationType", "%%1936" if p.integrity != "Medium" else "%%1938"),
                ("ProcessId", f"0x{parent.pid:x}" if parent else "0x0"),
                ("CommandLine", p.command_line),
                ("TargetUserSid", "S-1-0-0"),
                ("TargetUserName", "-" if target == account else target),
                ("TargetDomainName", "-" if target == account else target_domain),
                ("TargetLogonId", "0x0" if target == account else p.logon_id),
                ("ParentProcessName", parent.image if parent else ""),
                ("MandatoryLabel", _LABELS.get(p.integrity, "S-1-16-8192")),
            ],
            pid=4,
            version=2,
            task=13312,
        )

    def _process_create_data(self, p: Process) -> list[tuple[str, Value]]:
        digest = hashlib.sha256(p.image.lower().encode()).hexdigest().upper()
        parent = p.parent
        company = "Microsoft Corporation" if p.image.lower().startswith("c:\\windows") else "-"
        return [
            ("ProcessGuid", p.guid),
            ("ProcessId", p.pid),
            ("Image", p.image),
            ("FileVersion", "-"),
            ("Description", "-"),
            ("Product", "-"),
            ("Company", company),
            ("OriginalFileName", p.original_file_name),
            ("CommandLine", p.command_line),
            ("CurrentDirectory", p.current_directory),
            ("User", p.user),
            ("LogonGuid", f"{{{self._guid_prefix}-0000-0000-{p.logon_id[2:6]:0>4}-000000000000}}"),
            ("LogonId", p.logon_id),
            ("TerminalSessionId", 0 if p.user == SYSTEM_USER else 1),
            ("IntegrityLevel", p.integrity),
            ("Hashes", f"SHA256={digest},IMPHASH={digest[:32]}"),
            ("ParentProcessGuid", parent.guid if parent else _ZERO_GUID),
            ("ParentProcessId", parent.pid if parent else 0),
            ("ParentImage", parent.image if parent else "-"),
            ("ParentCommandLine", parent.command_line if parent else "-"),
            ("ParentUser", parent.user if parent else "-"),
        ]

    def dns(self, p: Process, name: str, at: datetime) -> tuple[str, ...]:
        """A DNS query (Sysmon 22) answered with the name's stable addresses."""
        answer = resolve(name)
        self._sysmon(
            22,
            at,
            [
                ("ProcessGuid", p.guid),
                ("ProcessId", p.pid),
                ("QueryName", name),
                ("QueryStatus", "0"),
                ("QueryResults", answer.query_results),
                ("Image", p.image),
                ("User", p.user),
            ],
        )
        return answer.addresses

    def connect(
        self,
        p: Process,
        name: str,
        at: datetime,
        *,
        port: int = 443,
        query: bool = True,
        hostname: str = "-",
    ) -> str:
        """Resolve (Sysmon 22, unless cached) then connect (Sysmon 3 unless the host's Sysmon
        logs no connections; Security 5156 if audited)."""
        if query:
            addresses = self.dns(p, name, at)
            at = at + timedelta(milliseconds=self.rng.randint(3, 40))
        else:
            addresses = resolve(name).addresses
        address = self.rng.choice(addresses)
        source_port = self.rng.randint(49152, 65535)
        if self.sysmon_network:
            self._connection(p, address, port, source_port, at, hostname)
        if self.audit_connections:
            self.audited_connection(p, address, port, source_port, at)
        return address

    def _connection(
        self, p: Process, address: str, port: int, source_port: int, at: datetime, hostname: str
    ) -> None:
        """Sysmon 3: the process made a TCP connection."""
        self._sysmon(
            3,
            at,
            [
                ("ProcessGuid", p.guid),
                ("ProcessId", p.pid),
                ("Image", p.image),
                ("User", p.user),
                ("Protocol", "tcp"),
                ("Initiated", True),
                ("SourceIsIpv6", False),
                ("SourceIp", self.address),
                ("SourceHostname", f"{self.computer}.corp.example"),
                ("SourcePort", source_port),
                ("SourcePortName", "-"),
                ("DestinationIsIpv6", False),
                ("DestinationIp", address),
                ("DestinationHostname", hostname),
                ("DestinationPort", port),
                ("DestinationPortName", "https" if port == 443 else "http"),
            ],
        )

    def audited_connection(
        self, p: Process, address: str, port: int, source_port: int, at: datetime
    ) -> None:
        """Security 5156: the Windows Filtering Platform permitted a connection."""
        self._emit(
            ("security", 5156),
            at + timedelta(milliseconds=1),
            [
                ("ProcessID", p.pid),
                ("Application", device_path(p.image)),
                ("Direction", "%%14593"),
                ("SourceAddress", self.address),
                ("SourcePort", str(source_port)),
                ("DestAddress", address),
                ("DestPort", str(port)),
                ("Protocol", 6),
                ("FilterRTID", 0),
                ("LayerName", "%%14611"),
                ("LayerRTID", 48),
                ("RemoteUserID", "S-1-0-0"),
                ("RemoteMachineID", "S-1-0-0"),
            ],
            pid=4,
            version=1,
            task=12810,
        )

    def create_file(self, p: Process, path: str, at: datetime) -> None:
        """Sysmon 11: the process created a file."""
        self._sysmon(
            11,
            at,
            [
                ("ProcessGuid", p.guid),
                ("ProcessId", p.pid),
                ("Image", p.image),
                ("TargetFilename", path),
                ("CreationUtcTime", utc_text(at)),
                ("User", p.user),
            ],
        )

    def set_registry(self, p: Process, key: str, details: str, at: datetime) -> None:
        """Sysmon 13: the process set a registry value."""
        self._sysmon(
            13,
            at,
            [
                ("ProcessGuid", p.guid),
                ("ProcessId", p.pid),
                ("Image", p.image),
                ("TargetObject", key),
                ("Details", details),
                ("User", p.user),
            ],
        )

    def task_created(self, p: Process, name: str, content: str, at: datetime) -> None:
        """Security 4698: a scheduled task was registered by process `p`."""
        domain, _, account = p.user.rpartition("\\")
        self._emit(
            ("security", 4698),
            at,
            [
                ("SubjectUserSid", self.sid(p.user)),
                ("SubjectUserName", account),
                ("SubjectDomainName", domain),
                ("SubjectLogonId", p.logon_id),
                ("TaskName", name),
                ("TaskContent", content),
                ("ClientProcessStartKey", str(self.rng.getrandbits(52))),
                ("ClientProcessId", p.pid),
                ("ParentProcessId", p.parent.pid if p.parent else 0),
                ("RpcCallClientLocality", 0),
                ("FQDN", f"{self.computer}.corp.example"),
            ],
            pid=self._lsass_pid,
            version=1,
            task=12804,
        )

    def script_block(self, p: Process, text: str, at: datetime, *, path: str = "") -> None:
        """PowerShell 4104: a script block as compiled (warning level when it looks hostile)."""
        hostile = ("invoke-expression", "iex ", "downloadstring")
        level = 3 if any(word in text.lower() for word in hostile) else 5
        block_id = self.guid_text().lower()
        self._emit(
            ("powershell", 4104),
            at,
            [
                ("MessageNumber", 1),
                ("MessageTotal", 1),
                ("ScriptBlockText", text),
                ("ScriptBlockId", block_id),
                ("Path", path),
            ],
            pid=p.pid,
            sid=self.sid(p.user),
            version=1,
            level=level,
            task=2,
            opcode=15,
        )

    def bits_job(
        self, creator: Process, service: Process, title: str, url: str, at: datetime, size: int
    ) -> datetime:
        """A BITS download: job created (3) by `creator`, transferred (59, 60) by `service`."""
        job = self.guid_text()
        transfer = self.guid_text()
        sid = self.sid(creator.user)
        owner = creator.user
        self._emit(
            ("bits", 3),
            at,
            [
                ("jobTitle", title),
                ("jobId", job),
                ("jobOwner", owner),
                ("processPath", creator.image),
                ("processId", creator.pid),
            ],
            pid=service.pid,
            sid=sid,
            version=2,
        )
        start = at + timedelta(milliseconds=self.rng.randint(150, 900))
        host = url.split("/")[2]
        self.connect(service, host, start, port=80 if url.startswith("http:") else 443)
        common: list[tuple[str, Value]] = [
            ("transferId", transfer),
            ("name", title),
            ("Id", job),
            ("url", url),
            ("peer", ""),
        ]
        self._emit(
            ("bits", 59),
            start,
            [
                *common,
                ("fileTime", "2024-01-09T17:02:11.000000Z"),
                ("fileLength", size),
                ("bytesTotal", size),
                ("bytesTransferred", 0),
                ("bytesTransferredFromPeer", 0),
            ],
            pid=service.pid,
            sid=sid,
            version=1,
            opcode=1,
            correlation=transfer,
        )
        end = start + timedelta(milliseconds=self.rng.randint(200, 3000))
        self._emit(
            ("bits", 60),
            end,
            [
                *common,
                ("hr", 0),
                ("fileTime", "2024-01-09T17:02:11.000000Z"),
                ("fileLength", size),
                ("bytesTotal", size),
                ("bytesTransferred", size),
                ("proxy", ""),
                ("peerProtocolFlags", 0),
                ("bytesTransferredFromPeer", 0),
                ("AdditionalInfoHr", 0),
                ("PeerContextInfo", 0),
                ("bandwidthLimit", 18446744073709551615),
                ("ignoreBandwidthLimitsOnLan", False),
            ],
            pid=service.pid,
            sid=sid,
            version=1,
            opcode=2,
            correlation=transfer,
        )
        return end

    def guid_text(self) -> str:
        raw = f"{self.rng.getrandbits(128):032X}"
        return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"
