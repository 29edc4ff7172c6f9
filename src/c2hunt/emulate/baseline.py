"""A benign working day around the tests: browsers, Office, OneDrive, Teams, Defender, updaters.

Users browse the same web services the detection lists (GitHub, SharePoint, Notion, Reddit...)
and background software reaches Google APIs and SharePoint, but none of it is a listed binary
reaching a listed service, so a correct hunt reports none of it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from c2hunt.emulate.host import Host
from c2hunt.emulate.model import Process
from c2hunt.emulate.world import Scenario, World

OFFICE_HOSTS = {
    "WS-ARGUS-01": "CORP\\m.keller",
    "WS-FIN-07": "CORP\\j.oduya",
    "WS-HR-03": "CORP\\l.brandt",
}
TENANT = "contoso"

# Sites outside the knowledge that people and software reach all day (scenario content).
_SITES = (
    "www.bing.com",
    "www.google.com",
    "www.bbc.co.uk",
    "en.wikipedia.org",
    "www.linkedin.com",
    "stackoverflow.com",
    "login.microsoftonline.com",
    "outlook.office365.com",
    "www.office.com",
    "fonts.gstatic.com",
    "www.youtube.com",
    "i.ytimg.com",
    "cdn.jsdelivr.net",
    "www.reuters.com",
    "learn.microsoft.com",
    "www.atlassian.com",
    "docs.python.org",
)
# Apex names of listed services that are not themselves web hosts, and the host people reach.
_HOST_OF = {
    "githubusercontent.com": "raw.githubusercontent.com",
    "sharepoint.com": f"{TENANT}.sharepoint.com",
    "googleapis.com": "www.googleapis.com",
}
_BROWSED_CATEGORIES = ("code_hosting", "storage_productivity", "social", "messaging")

CHROME = "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"
EDGE_UPDATER = "C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe"
EDGE = "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe"
NETWORK_SERVICE = (
    "--type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US "
    "--service-sandbox-type=none --mojo-platform-channel-handle=2124 /prefetch:8"
)


def _listed_sites(world: World) -> list[str]:
    sites = []
    for service in world.knowledge.services:
        if service.category in _BROWSED_CATEGORIES:
            sites.append(_HOST_OF.get(service.domain, service.domain))
    return sites


def _every(world: World, first: datetime, mean_minutes: float, jitter: float) -> list[datetime]:
    """Times from `first` to the end of the window, `mean_minutes` apart, +/- `jitter` of it."""
    end = world.start + timedelta(hours=world.hours)
    times, at = [], first
    while at < end:
        times.append(at)
        gap = mean_minutes * 60 * (1 + world.rng.uniform(-jitter, jitter))
        at += timedelta(seconds=gap, milliseconds=world.rng.randint(0, 999))
    return times


def browse(world: World, host: Host, explorer: Process, image: str) -> None:
    """Browsing sessions: irregular page visits, each reaching one to three sites."""
    listed = _listed_sites(world)
    for _ in range(world.rng.randint(3, 5)):
        at = world.at(world.rng.uniform(0.1, world.hours - 0.3))
        browser = host.spawn(explorer, image, f'"{image}" ', at)
        network = host.spawn(
            browser,
            image,
            f'"{image}" {NETWORK_SERVICE}',
            at + timedelta(milliseconds=world.rng.randint(200, 600)),
        )
        for _ in range(world.rng.randint(10, 30)):
            at += timedelta(seconds=1 + world.rng.expovariate(1 / 45))
            pool = listed if world.rng.random() < 0.35 else _SITES
            for site in world.rng.sample(pool, world.rng.randint(1, 3)):
                host.connect(network, site, at, query=world.rng.random() < 0.7)


def _office_day(world: World, host: Host, explorer: Process, user: str) -> None:
    account = user.split("\\")[1]
    local = f"C:\\Users\\{account}\\AppData\\Local"
    sharepoint = _HOST_OF["sharepoint.com"]
    my_site = f"{TENANT}-my.sharepoint.com"

    word = host.spawn(
        explorer,
        "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
        '"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE" /n',
        world.at(world.rng.uniform(0.2, 2.0)),
    )
    for at in _every(world, word.started + timedelta(seconds=3), 25, 0.6):
        host.connect(
            word,
            world.rng.choice(
                (sharepoint, "officeclient.microsoft.com", "nexusrules.officeapps.live.com")
            ),
            at,
        )

    onedrive = host.spawn(
        explorer,
        f"{local}\\Microsoft\\OneDrive\\OneDrive.exe",
        f'"{local}\\Microsoft\\OneDrive\\OneDrive.exe" /background',
        explorer.started + timedelta(seconds=40),
    )
    for at in _every(world, world.at(0.05, 3), 10, 0.3):
        host.connect(onedrive, my_site, at)
        if world.rng.random() < 0.3:
            host.connect(onedrive, "skydrive.wns.windows.com", at + timedelta(seconds=2))

    teams_image = (
        "C:\\Program Files\\WindowsApps\\MSTeams_24102.2223.2870.9480_x64__8wekyb3d8bbwe"
        "\\ms-teams.exe"
    )
    teams = host.spawn(
        explorer,
        teams_image,
        f'"{teams_image}" msteams:system-initiated',
        explorer.started + timedelta(seconds=55),
    )
    for at in _every(world, world.at(0.02, 1), 6, 0.8):
        site = world.rng.choice(
            (
                "teams.microsoft.com",
                "presence.teams.microsoft.com",
                sharepoint,
                "statics.teams.cdn.office.net",
            )
        )
        host.connect(teams, site, at, query=world.rng.random() < 0.5)


def _machine_services(world: World, host: Host) -> None:
    """Defender, Windows Update, and updaters using BITS: all under SYSTEM."""
    standing = world.standing[host.computer]
    defender_image = (
        "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24030.9-0\\MsMpEng.exe"
    )
    defender = host.spawn(
        standing.services,
        defender_image,
        f'"{defender_image}"',
        standing.services.started + timedelta(seconds=6),
    )
    for at in _every(world, world.at(0.1, 5), 20, 0.7):
        host.connect(defender, world.rng.choice(("wdcp.microsoft.com", "go.microsoft.com")), at)

    wu = host.spawn(
        standing.services,
        "C:\\Windows\\System32\\svchost.exe",
        "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s wuauserv",
        world.at(0.3, 10),
    )
    for at in _every(world, wu.started + timedelta(seconds=20), 45, 0.5):
        host.connect(
            wu,
            world.rng.choice(("fe3cr.delivery.mp.microsoft.com", "slscr.update.microsoft.com")),
            at,
        )

    updater_image = "C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe"
    googleapis = world.domain("googleapis.com")
    for at in _every(world, world.at(0.5, 20), 120, 0.1):
        updater = host.spawn(
            standing.schedule, updater_image, f'"{updater_image}" /ua /installsource scheduler', at
        )
        host.connect(updater, f"update.{googleapis}", at + timedelta(seconds=1))
        crx = f"https://storage.{googleapis}/update-delta/hfnkpimlhhgieaddgfemjhofmfblmnib/8712"
        host.bits_job(
            updater,
            standing.bits,
            f"{updater_image}.crx3",
            f"{crx}/8711_8712.crxd",
            at + timedelta(seconds=3),
            world.rng.randint(4_000, 90_000),
        )
    for at in _every(world, world.at(0.8, 20), 60, 0.2):
        edge = host.spawn(
            standing.schedule, EDGE_UPDATER, f'"{EDGE_UPDATER}" /ua /installsource scheduler', at
        )
        host.connect(edge, "msedge.api.cdp.microsoft.com", at + timedelta(seconds=1))


def _edge_update_jobs(world: World, host: Host) -> None:
    """About half of the Edge updater's runs download an update with BITS."""
    standing = world.standing[host.computer]
    files = "http://msedge.b.tlu.dl.delivery.mp.microsoft.com/filestreamingservice/files"
    for edge in [p for p in host.processes if p.image == EDGE_UPDATER]:
        if world.rng.random() < 0.5:
            host.bits_job(
                edge,
                standing.bits,
                f"MicrosoftEdgeUpdate {{{host.guid_text()}}}",
                f"{files}/{host.guid_text().lower()}?P1={world.rng.getrandbits(32)}",
                edge.started + timedelta(seconds=2),
                world.rng.randint(200_000, 9_000_000),
            )


def _user_update_jobs(world: World, host: Host, explorer: Process) -> None:
    """OneDrive's standalone updater (g.live.com, oneclient.sfx.ms) and Chrome's component
    updater (storage.googleapis.com, a listed service), when the user runs Chrome."""
    standing = world.standing[host.computer]
    account = explorer.user.rpartition("\\")[2]
    updater_image = (
        f"C:\\Users\\{account}\\AppData\\Local\\Microsoft\\OneDrive\\OneDriveStandaloneUpdater.exe"
    )
    for at in _every(world, world.at(0.6, 15), 150, 0.1):
        updater = host.spawn(
            standing.schedule,
            updater_image,
            f'"{updater_image}" /reporting',
            at,
            user=explorer.user,
        )
        jobs = [
            ("UpdateDescriptionXml", "https://g.live.com/1rewlive5skydrive/ODSUProduction64"),
            ("PreSignInSettingsConfigJSON", "https://g.live.com/odclientsettings/Prod"),
        ]
        if world.rng.random() < 0.3:
            jobs.append(
                (
                    "SetupBinary",
                    "https://oneclient.sfx.ms/Win/Prod/24.086.0428.0003/OneDriveSetup.exe",
                )
            )
        when = at + timedelta(seconds=1)
        for title, url in jobs:
            when = host.bits_job(
                updater, standing.bits, title, url, when, world.rng.randint(2_000, 60_000)
            ) + timedelta(milliseconds=world.rng.randint(100, 900))
    if not any(p.image == CHROME for p in host.processes):
        return
    storage = "storage." + world.domain("googleapis.com")
    chrome = host.spawn(explorer, CHROME, f'"{CHROME}" --no-startup-window', world.at(0.2, 5))
    for at in _every(world, chrome.started + timedelta(minutes=5), 90, 0.3):
        extension = "".join(world.rng.choice("abcdefghijklmnop") for _ in range(32))
        version = f"1.0.0.{world.rng.randint(10, 99)}"
        host.bits_job(
            chrome,
            standing.bits,
            "Chrome Component Updater",
            f"http://{storage}/edgedl/release2/chrome_component/{extension}_{version}/"
            f"{extension}.crx3",
            at,
            world.rng.randint(10_000, 400_000),
        )


def _admin_tools(world: World, host: Host, explorer: Process) -> None:
    """Listed binaries doing ordinary work with unlisted sites: not findings."""
    at = world.at(world.rng.uniform(1.0, 4.0))
    cmd = host.spawn(
        explorer, "C:\\Windows\\System32\\cmd.exe", '"C:\\Windows\\system32\\cmd.exe" ', at
    )
    host.spawn(
        cmd, "C:\\Windows\\System32\\ipconfig.exe", "ipconfig /all", at + timedelta(seconds=8)
    )
    ps = host.spawn(
        explorer,
        "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
        'powershell.exe -NoProfile -Command "Install-Module -Name ImportExcel '
        '-Scope CurrentUser -Force"',
        at + timedelta(minutes=3),
    )
    host.script_block(
        ps,
        "Install-Module -Name ImportExcel -Scope CurrentUser -Force",
        ps.started + timedelta(milliseconds=500),
    )
    for offset, site in enumerate(("www.powershellgallery.com", "psg-prod-eastus.azureedge.net")):
        host.connect(ps, site, ps.started + timedelta(seconds=2 + offset * 3))


def baseline(world: World) -> Scenario:
    """The benign day on the three office workstations (the test host included)."""
    for computer, user in OFFICE_HOSTS.items():
        host = world.host(computer, user, audit=computer == "WS-ARGUS-01")
        explorer = world.standing[computer].explorer
        assert explorer is not None
        browse(world, host, explorer, world.rng.choice((CHROME, EDGE)))
        _office_day(world, host, explorer, user)
        _machine_services(world, host)
        _admin_tools(world, host, explorer)
    return Scenario(
        "benign_baseline",
        "baseline",
        "Benign baseline: browsers, Office, OneDrive, Teams, Defender, updaters, svchost",
        tuple(OFFICE_HOSTS),
        (),
    )


def update_jobs(world: World) -> None:
    """BITS jobs of the office hosts' updaters (part of the baseline).

    Generated after the other scenarios so that adding them left every earlier random draw,
    and so every other scenario's events, as they were.
    """
    for computer in OFFICE_HOSTS:
        host = world.hosts[computer]
        explorer = world.standing[computer].explorer
        assert explorer is not None
        _edge_update_jobs(world, host)
        _user_update_jobs(world, host, explorer)
