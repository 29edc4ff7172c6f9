"""The specification's three false-positive families ("False Positives & Tuning").

Each is legitimate automation a correct hunt does report (a listed binary reaching a listed
service) until a reviewed suppression from the packaged example tuning silences it.
"""

from __future__ import annotations

from datetime import timedelta

from c2hunt.emulate.host import SYSTEM_USER
from c2hunt.emulate.world import Scenario, World

CI_HOST = "BUILD-AGENT-03"
RMM_HOST = "WS-OPS-12"
DEV_HOST = "DEV-LAPTOP-22"
DEV_USER = "CORP\\a.novak"
RUNNER = "C:\\actions-runner"
NODE = f"{RUNNER}\\externals\\node20\\bin\\node.exe"
PYTHON = "C:\\hostedtoolcache\\windows\\Python\\3.12.3\\x64\\python.exe"
RMM_AGENT = "C:\\Program Files\\Northwind RMM\\Agent\\NWAgentSvc.exe"
RMM_SCRIPTS = "C:\\ProgramData\\Northwind RMM\\scripts"
POWERSHELL = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
CMD = "C:\\Windows\\System32\\cmd.exe"
CURL = "C:\\Windows\\System32\\curl.exe"


def ci_runner(world: World) -> Scenario:
    """A CI runner under SYSTEM: node checks out from GitHub, python pulls fixtures from GCS."""
    host = world.host(CI_HOST, None)
    standing = world.standing[CI_HOST]
    listener = host.spawn(
        standing.services,
        f"{RUNNER}\\bin\\Runner.Listener.exe",
        f'"{RUNNER}\\bin\\Runner.Listener.exe" run --startuptype service',
        standing.services.started + timedelta(seconds=12),
    )
    raw = "raw." + world.domain("githubusercontent.com")
    storage = "storage." + world.domain("googleapis.com")
    actors = []
    for job in range(4):
        at = world.at(0.6 + job * 1.3, 20)
        worker = host.spawn(
            listener,
            f"{RUNNER}\\bin\\Runner.Worker.exe",
            f'"{RUNNER}\\bin\\Runner.Worker.exe" spawnclient 1804 1812',
            at,
        )
        checkout = host.spawn(
            worker,
            NODE,
            f'"{NODE}" "{RUNNER}\\_work\\_actions\\actions\\checkout\\v4\\dist/index.js"',
            at + timedelta(seconds=3),
            cwd=f"{RUNNER}\\_work\\app\\app\\",
        )
        host.connect(checkout, world.domain("github.com"), checkout.started + timedelta(seconds=1))
        host.connect(checkout, raw, checkout.started + timedelta(seconds=2))
        step = host.spawn(
            worker,
            CMD,
            f'{CMD} /D /E:ON /V:OFF /S /C "CALL "{RUNNER}\\_work\\_temp'
            f'\\{host.guid_text().lower()}.cmd""',
            at + timedelta(seconds=40),
        )
        fixtures = host.spawn(
            step,
            PYTHON,
            f"{PYTHON} scripts\\fetch_fixtures.py --bucket northwind-ci-fixtures",
            step.started + timedelta(seconds=1),
        )
        for n in range(world.rng.randint(2, 4)):
            host.connect(fixtures, storage, fixtures.started + timedelta(seconds=1 + n * 4))
        actors += [checkout.guid, fixtures.guid]
    return Scenario(
        "fp_ci_runner",
        "false_positive",
        "CI runner under SYSTEM: node and python fetch from GitHub raw content and googleapis.com",
        (CI_HOST,),
        tuple(actors),
        (world.domain("github.com"), raw, storage),
        suppression="ci-runner-build-fetches",
    )


def rmm_agent(world: World) -> Scenario:
    """An RMM agent under SYSTEM: every 15 minutes cmd starts PowerShell to sync SharePoint,
    and every hour PowerShell checks a Notion status page."""
    host = world.host(RMM_HOST, "CORP\\it.ops")
    standing = world.standing[RMM_HOST]
    agent = host.spawn(
        standing.services,
        RMM_AGENT,
        f'"{RMM_AGENT}" -service',
        standing.services.started + timedelta(seconds=15),
        user=SYSTEM_USER,
    )
    sharepoint = "northwind-it." + world.domain("sharepoint.com")
    notion = world.domain("api.notion.com")
    actors = []
    at = world.at(0.1, 2)
    end = world.start + timedelta(hours=world.hours)
    poll = 0
    while at < end:
        script, site = ("Sync-Config.ps1", sharepoint) if poll % 4 else ("Get-Status.ps1", notion)
        cmd = host.spawn(
            agent,
            CMD,
            f"{CMD} /c powershell.exe -NoProfile -ExecutionPolicy "
            f'Bypass -File "{RMM_SCRIPTS}\\{script}"',
            at,
        )
        ps = host.spawn(
            cmd,
            POWERSHELL,
            f'powershell.exe -NoProfile -ExecutionPolicy Bypass -File "{RMM_SCRIPTS}\\{script}"',
            at + timedelta(milliseconds=90),
        )
        host.script_block(
            ps,
            f"$r = Invoke-RestMethod -Uri 'https://{site}/v1/agent/status' "
            "-UseDefaultCredentials\nSet-Content -Path "
            f"'{RMM_SCRIPTS}\\last.json' -Value ($r | ConvertTo-Json)",
            at + timedelta(milliseconds=600),
            path=f"{RMM_SCRIPTS}\\{script}",
        )
        host.connect(ps, site, at + timedelta(seconds=1, milliseconds=world.rng.randint(0, 300)))
        actors.append(ps.guid)
        poll += 1
        at += timedelta(minutes=15, seconds=world.rng.uniform(-2, 2))
    return Scenario(
        "fp_rmm_agent",
        "false_positive",
        "RMM agent spawning cmd and PowerShell to poll SharePoint and Notion",
        (RMM_HOST,),
        tuple(actors),
        (sharepoint, notion),
        suppression="rmm-agent-config-sync",
    )


def developer_curl(world: World) -> Scenario:
    """A developer testing Discord, Reddit and Trello webhooks and APIs with curl."""
    host = world.host(DEV_HOST, DEV_USER)
    explorer = world.standing[DEV_HOST].explorer
    terminal = host.spawn(
        explorer,
        "C:\\Program Files\\PowerShell\\7\\pwsh.exe",
        '"C:\\Program Files\\PowerShell\\7\\pwsh.exe" -NoLogo',
        world.at(0.4, 5),
        cwd="C:\\src\\notify-bot\\",
    )
    discord = world.domain("discord.com")
    reddit = "www." + world.domain("reddit.com")
    trello = world.domain("api.trello.com")
    requests = (
        (
            discord,
            '-X POST -H "Content-Type: application/json" -d "{\\"content\\":\\"build '
            'passed\\"}" https://' + discord + "/api/webhooks/1187/xYz-test",
        ),
        (reddit, f"-s -A notify-bot/0.3 https://{reddit}/r/sysadmin/new.json?limit=5"),
        (trello, f"-s -o cards.json https://{trello}/1/boards/5f2a/cards?key=dev&token=dev"),
    )
    actors = []
    at = terminal.started
    order = [requests[n % len(requests)] for n in range(world.rng.randint(8, 12))]
    world.rng.shuffle(order)
    for site, arguments in order:
        at += timedelta(minutes=world.rng.expovariate(1 / 18), seconds=5)
        curl = host.spawn(terminal, CURL, f"curl.exe {arguments}", at)
        host.connect(curl, site, at + timedelta(milliseconds=world.rng.randint(30, 90)))
        if " -o " in arguments:
            host.create_file(curl, "C:\\src\\notify-bot\\cards.json", at + timedelta(seconds=1))
        actors.append(curl.guid)
    return Scenario(
        "fp_developer_curl",
        "false_positive",
        "Developer workstation using curl against Discord, Reddit and Trello",
        (DEV_HOST,),
        tuple(actors),
        (discord, reddit, trello),
        suppression="developer-webhook-testing",
    )


FAMILIES = (ci_runner, rmm_agent, developer_curl)
