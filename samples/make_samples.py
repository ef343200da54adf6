#!/usr/bin/env python3
"""Writes TokenTrail's bundled samples: one fictional org (Acme) seen from every source.

Deterministic (fixed seed, fixed gzip mtime): running it again produces the same bytes, so
the committed files and the tests that count their rows stay in step. Run from anywhere:
    python3 samples/make_samples.py
"""
import base64
import csv
import datetime as dt
import gzip
import io
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
R = random.Random(20261122)
UTC = dt.timezone.utc
JST = dt.timezone(dt.timedelta(hours=9))

def id18(id15):
    """The 18-character form of a 15-character Salesforce id (its case checksum)."""
    assert len(id15) == 15
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    suffix = ""
    for chunk in range(3):
        bits = sum(1 << i for i, c in enumerate(id15[chunk * 5:chunk * 5 + 5]) if "A" <= c <= "Z")
        suffix += alphabet[bits]
    return id15 + suffix


ORG = id18("00D5g000004Acme")
ORG15 = ORG[:15]
ERP_APP, ERP_KEY = "Acme ERP Sync", "3MVG9ERPsync0Acme.Example.Consumer.Key.For.TokenTrail.Samples.0001"
RPT_APP, RPT_KEY = "Acme Reporting", "3MVG9RPTreport0Acme.Example.Consumer.Key.For.TokenTrail.Samples.0002"
ERP_USER = ("erp-integration@acme.example", id18("0055g00000ErpIn"))
RPT_USER = ("reporting-bot@acme.example", id18("0055g00000RptBo"))
HOSTS = {"etl-01": "198.51.100.23", "etl-02": "198.51.100.24", "rpt-01": "203.0.113.10"}
MY_DOMAIN = "https://acme.my.salesforce.com"

FIRST = ["aiko", "ben", "carla", "daichi", "emma", "felix", "gina", "haruto", "isabel", "jun",
         "kenta", "lena", "mei", "nina", "omar", "priya", "quinn", "ren", "sara", "takumi",
         "uma", "victor", "wen", "xavier", "yui", "zoe", "akira", "bella", "chen", "dara"]
LAST = ["tanaka", "miller", "rossi", "sato", "brown", "weber", "lopez", "suzuki", "garcia", "ito",
        "kato", "fischer", "wang", "novak", "haddad", "sharma", "reid", "yamada", "cohen", "mori",
        "patel", "santos", "li", "dubois", "kimura", "evans", "ogawa", "bianchi", "zhang", "okafor"]
HUMANS = [(f"{f}.{l}@acme.example", id18(f"0055g0000Usr{i:03d}")) for i, (f, l) in enumerate(zip(FIRST, LAST))]
MOBILE = HUMANS[:10]
ADMIN = HUMANS[29]

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def sfid(prefix, n):
    s = ""
    for _ in range(8):
        s = B62[n % 62] + s
        n //= 62
    return prefix + "5g00000" + s


def out(*parts):
    path = os.path.join(HERE, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


# --- the logins (server truth) -------------------------------------------------------------

def week_logins(start, days):
    """Every login of the org in [start, start+days), as dicts in UTC."""
    rows = []
    for day in range(days):
        d0 = start + dt.timedelta(days=day)
        workday = d0.weekday() < 5  # UTC midnight is 09:00 JST the same day
        # JWT bearer integration: every 30 minutes from each of two hosts.
        for host, offset in (("etl-01", 7), ("etl-02", 22)):
            for slot in range(48):
                t = d0 + dt.timedelta(minutes=30 * slot + offset, seconds=R.randint(0, 40), milliseconds=R.randint(0, 999))
                rows.append(dict(t=t, user=ERP_USER, type="Remote Access 2.0", subtype="", app=ERP_APP,
                                 ip=HOSTS[host], status="Success", url="login.salesforce.com", host=host,
                                 browser="Unknown", platform="Unknown", flow="jwt"))
        # Client credentials integration: hourly, runs as its Run As user.
        for hour in range(24):
            t = d0 + dt.timedelta(hours=hour, minutes=41, seconds=R.randint(0, 50), milliseconds=R.randint(0, 999))
            rows.append(dict(t=t, user=RPT_USER, type="Remote Access 2.0", subtype="OAuth Client Credentials",
                             app=RPT_APP, ip=HOSTS["rpt-01"], status="Success", url="acme.my.salesforce.com",
                             host="rpt-01", browser="Unknown", platform="Unknown", flow="cc"))
        if not workday:
            continue
        for user in HUMANS:
            office = f"192.0.2.{10 + HUMANS.index(user)}"
            for _ in range(R.choice((1, 1, 2))):
                t = d0 + dt.timedelta(hours=R.randint(0, 8), minutes=R.randint(0, 59), seconds=R.randint(0, 59))
                if R.random() < 0.75:
                    rows.append(dict(t=t, user=user, type="SAML Sfdc Initiated SSO", subtype="", app="Browser",
                                     ip=office, status="Success", url="acme.my.salesforce.com",
                                     browser="Chrome 131", platform="Mac OSX", flow="saml"))
                else:
                    failed = R.random() < 0.12
                    if failed:
                        rows.append(dict(t=t - dt.timedelta(seconds=40), user=user, type="Application",
                                         subtype="UI Username-Password", app="Browser", ip=office,
                                         status="Invalid Password", url="acme.my.salesforce.com",
                                         browser="Firefox 132", platform="Windows 10", flow="ui"))
                    rows.append(dict(t=t, user=user, type="Application", subtype="UI Username-Password", app="Browser",
                                     ip=office, status="Success", url="acme.my.salesforce.com",
                                     browser="Firefox 132", platform="Windows 10", flow="ui"))
        for user in MOBILE:
            for _ in range(3):
                t = d0 + dt.timedelta(hours=R.randint(0, 12), minutes=R.randint(0, 59), seconds=R.randint(0, 59))
                rows.append(dict(t=t, user=user, type="Remote Access 2.0", subtype="OAuth Refresh Token",
                                 app="Salesforce for iOS", ip=f"100.64.{R.randint(0, 3)}.{R.randint(2, 250)}",
                                 status="Success", url="login.salesforce.com", browser="Unknown", platform="iOS/iPhone",
                                 flow="refresh"))
        # An admin's nightly Data Loader job (username-password flow: legacy, but ordinary here).
        t = d0 + dt.timedelta(hours=13, minutes=5, seconds=R.randint(0, 59))
        rows.append(dict(t=t, user=ADMIN, type="Remote Access 2.0", subtype="OAuth Username-Password",
                         app='Dataloader Partner', ip="192.0.2.200", status="Success", url="login.salesforce.com",
                         browser="Unknown", platform="Unknown", flow="password"))
    # One app whose name carries a comma and quotes, to exercise CSV quoting.
    t = start + dt.timedelta(days=2, hours=3, minutes=3, seconds=3)
    rows.append(dict(t=t, user=HUMANS[3], type="Remote Access 2.0", subtype="OAuth Web Server",
                     app='Acme "Ops" Console, EU', ip="192.0.2.13", status="Success", url="login.salesforce.com",
                     browser="Chrome 131", platform="Mac OSX", flow="web"))
    # Ordinary failures: an unassigned user trying the ERP app once.
    t = start + dt.timedelta(days=3, hours=2, minutes=17, seconds=9)
    rows.append(dict(t=t, user=HUMANS[7], type="Remote Access 2.0", subtype="OAuth Web Server", app=ERP_APP,
                     ip="192.0.2.17", status="Failed: Not approved for access", url="login.salesforce.com",
                     browser="Chrome 131", platform="Mac OSX", flow="web"))
    rows.sort(key=lambda r: r["t"])
    return rows


THIS_WEEK = dt.datetime(2026, 11, 14, tzinfo=UTC)
LAST_WEEK = dt.datetime(2026, 11, 7, tzinfo=UTC)
logins = week_logins(THIS_WEEK, 7)
previous = week_logins(LAST_WEEK, 7)

# --- Incidents (this week only; the previous week is clean background) ---------------------
# A. etl-02's clock falls 215 s behind from Nov 19 10:00 UTC: its 180-second assertions
#    arrive already expired ("expired authorization code"), so those logins never happen.
SKEW_FROM, SKEW = dt.datetime(2026, 11, 19, 10, tzinfo=UTC), dt.timedelta(seconds=215)
for r in logins:
    if r.get("host") == "etl-02" and r["t"] >= SKEW_FROM:
        r["expired"] = True
# B. The ERP key is used from an unknown network (no matching client request anywhere).
for minutes in (13, 21, 34, 58):
    t = dt.datetime(2026, 11, 19, 2, minutes, R.randint(0, 59), R.randint(0, 999) * 1000, tzinfo=UTC)
    logins.append(dict(t=t, user=ERP_USER, type="Remote Access 2.0", subtype="", app=ERP_APP, ip="203.0.113.77",
                       status="Success", url="login.salesforce.com", browser="Unknown", platform="Unknown", flow="jwt"))
# C. The ERP integration logs in as the admin, from its own host etl-02.
logins.append(dict(t=dt.datetime(2026, 11, 18, 9, 7, 13, 402000, tzinfo=UTC), user=ADMIN, type="Remote Access 2.0", subtype="",
                   app=ERP_APP, ip=HOSTS["etl-02"], status="Success", url="login.salesforce.com", host="etl-02",
                   browser="Unknown", platform="Unknown", flow="jwt"))

# --- A vendor app: Chatline, a Drift-like chat integration on refresh tokens ----------------
# The vendor's servers refresh their token every 2 hours as one integration user and read and
# update Leads; a nightly Bulk API 2.0 query exports Leads (the job is left to expire). Its own
# random stream, so every file without a Chatline row keeps its bytes.
V = random.Random(20261201)
CHAT_APP, CHAT_APP_ID = "Chatline for Salesforce", id18("0H45g0000ChatLn")
CHAT_USER = ("chatline-integration@acme.example", id18("0055g00000ChatL"))
CHAT_HOSTS = ["2001:db8:c4a7:10::21", "2001:db8:c4a7:10::22"]
CHAT_AGENT = "Chatline-Connector/4.2 (+https://chatline.example/bot)"
# F. Nov 18: Chatline's stolen refresh token is used from a hosting address with a generic
#    client: a new login, recon (sobjects, limits, SELECT COUNT()), a Bulk 2.0 export of Case
#    deleted 9 s after it completed; the access token of the vendor's own session of 02:03 is
#    used from the same address without a new login.
REPLAY_IP, REPLAY_AGENT, REPLAY_AIO = "203.0.113.66", "python-requests/2.32.4", "Python/3.11 aiohttp/3.12.15"
REPLAY_AT = dt.datetime(2026, 11, 18, 3, 12, 40, 381000, tzinfo=UTC)


def chatline_logins(start, days):
    rows = []
    for day in range(days):
        d0 = start + dt.timedelta(days=day)
        for slot in range(12):
            t = d0 + dt.timedelta(hours=2 * slot, minutes=3, seconds=V.randint(0, 50), milliseconds=V.randint(0, 999))
            rows.append(dict(t=t, user=CHAT_USER, type="Remote Access 2.0", subtype="OAuth Refresh Token", app=CHAT_APP,
                             ip=CHAT_HOSTS[slot % 2], status="Success", url="login.salesforce.com", browser="Unknown",
                             platform="Unknown", flow="refresh", vendor=True, agent=CHAT_AGENT))
    return rows


previous += chatline_logins(LAST_WEEK, 7)
previous.sort(key=lambda r: r["t"])
logins += chatline_logins(THIS_WEEK, 7)
logins.append(dict(t=REPLAY_AT, user=CHAT_USER, type="Remote Access 2.0", subtype="OAuth Refresh Token", app=CHAT_APP,
                   ip=REPLAY_IP, status="Success", url="login.salesforce.com", browser="Unknown", platform="Unknown",
                   flow="refresh", vendor=True, agent=REPLAY_AGENT, replay=True))
logins.sort(key=lambda r: r["t"])
server_logins = [r for r in logins if not r.get("expired")]


def api_time(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


# --- Login History, API export (sf data query --result-format csv) --------------------------

API_COLUMNS = ["Id", "UserId", "LoginTime", "LoginType", "LoginSubType", "SourceIp", "LoginUrl",
               "AuthenticationServiceId", "LoginGeoId", "TlsProtocol", "CipherSuite", "Browser", "Platform",
               "Status", "Application", "ClientVersion", "ApiType", "ApiVersion", "CountryIso", "AuthMethodReference"]
with open(out("salesforce", "LoginHistory_api_2026-11-14_2026-11-20.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(API_COLUMNS)
    for n, r in enumerate(server_logins):
        oauth = r["type"] == "Remote Access 2.0"
        r["id"] = sfid("0Ya", 1000 + n)
        w.writerow([r["id"], r["user"][1], api_time(r["t"]), r["type"], r["subtype"], r["ip"], r["url"], "",
                    sfid("04F", n), "TLS 1.2", "ECDHE-RSA-AES256-GCM-SHA384", r["browser"], r["platform"],
                    r["status"], r["app"], "N/A" if oauth else "", "N/A" if oauth else "", "N/A" if oauth else "",
                    "JP" if r["ip"].startswith(("192.0.2", "100.64")) else "US", ""])

# --- Login History, Setup downloads of the previous week ------------------------------------
# Japanese admin (Asia/Tokyo, Japanese labels and values, UTF-8 BOM) covers Nov 7–10 JST;
# an English-UI admin, also in Asia/Tokyo, covers Nov 9–13 JST (CRLF, all quoted, gzipped).
# The two overlap on Nov 9–10: those logins must be stored once.

JA_TYPES = {"Remote Access 2.0": "リモートアクセス 2.0", "Application": "アプリケーション"}
JA_SUBTYPES = {"OAuth Client Credentials": "OAuth クライアントログイン情報"}
JA_STATUS = {"Success": "成功", "Invalid Password": "無効なパスワードです。"}
SETUP_EN = ["Username", "Login Time", "Source IP", "Location", "Login Type", "Status", "Browser", "Platform",
            "Application", "Client Version", "API Type", "API Version", "Login URL", "HTTP Login Method",
            "Login Subtype", "TLS Protocol", "TLS Cipher Suite", "Authentication Method Reference"]
SETUP_JA = ["ユーザー名", "ログイン時間", "送信元 IP", "場所", "ログイン種別", "状況", "ブラウザ", "プラットフォーム",
            "アプリケーション", "クライアントのバージョン", "API 種別", "API バージョン", "ログイン URL", "HTTP ログイン方法",
            "ログインサブ種別", "TLS プロトコル", "TLS 暗号スイート", "認証メソッド参照"]


def setup_row(r, japanese):
    local = r["t"].astimezone(JST)
    if japanese:
        when = local.strftime("%Y/%m/%d %H:%M")
    else:
        when = f"{local.month}/{local.day}/{local.year} {(local.hour % 12) or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
    oauth = r["type"] == "Remote Access 2.0"
    ltype = JA_TYPES.get(r["type"], r["type"]) if japanese else r["type"]
    sub = JA_SUBTYPES.get(r["subtype"], r["subtype"]) if japanese else r["subtype"]
    status = JA_STATUS.get(r["status"], r["status"]) if japanese else r["status"]
    location = ("東京都, 日本" if japanese else "Tokyo, Japan") if r["ip"].startswith(("192.0.2", "100.64")) else (
        "アメリカ合衆国" if japanese else "United States")
    return [r["user"][0], when, r["ip"], location, ltype, status, r["browser"], r["platform"], r["app"],
            "N/A" if oauth else "", "N/A" if oauth else "", "N/A" if oauth else "", r["url"], "POST", sub,
            "TLS 1.2", "ECDHE-RSA-AES256-GCM-SHA384", ""]


def in_jst_days(r, first_day, last_day):
    d = r["t"].astimezone(JST).day
    return first_day <= d <= last_day and r["t"].astimezone(JST).month == 11


ja_rows = [r for r in previous if in_jst_days(r, 7, 10)]
en_rows = [r for r in previous if in_jst_days(r, 9, 13)]
with open(out("salesforce", "LoginHistory_setup_ja_2026-11-07_2026-11-10.csv"), "w", newline="", encoding="utf-8-sig") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(SETUP_JA)
    for r in reversed(ja_rows):  # Setup lists newest first
        w.writerow(setup_row(r, True))
buf = io.StringIO()
w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
w.writerow(SETUP_EN)
for r in reversed(en_rows):
    w.writerow(setup_row(r, False))
with open(out("salesforce", "LoginHistory_setup_en_2026-11-09_2026-11-13.csv.gz"), "wb") as f:
    with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as gz:
        gz.write(buf.getvalue().encode("utf-8"))

# --- Event Monitoring, one day (2026-11-20): Login, Logout, LoginAs, API, RestApi, ApiTotalUsage

ELF_DAY = dt.datetime(2026, 11, 20, tzinfo=UTC)
day_rows = [r for r in server_logins if ELF_DAY <= r["t"] < ELF_DAY + dt.timedelta(days=1) and not r.get("vendor")]


def elf_ts(t):
    return t.strftime("%Y%m%d%H%M%S.") + f"{t.microsecond // 1000:03d}"


def elf_derived(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def write_elf(name, columns, rows):
    with open(out("eventlogfiles", f"2026-11-20_{name}.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_ALL)
        w.writerow(columns)
        for row in rows:
            w.writerow([row.get(c, "") for c in columns])


LOGIN_COLS = ["EVENT_TYPE", "TIMESTAMP", "REQUEST_ID", "ORGANIZATION_ID", "USER_ID", "RUN_TIME", "CPU_TIME", "URI",
              "SESSION_KEY", "LOGIN_KEY", "USER_TYPE", "REQUEST_STATUS", "DB_TOTAL_TIME", "LOGIN_TYPE", "BROWSER_TYPE",
              "API_TYPE", "API_VERSION", "USER_NAME", "TLS_PROTOCOL", "CIPHER_SUITE", "AUTHENTICATION_METHOD_REFERENCE",
              "LOGIN_SUB_TYPE", "TIMESTAMP_DERIVED", "USER_ID_DERIVED", "CLIENT_IP", "URI_ID_DERIVED", "LOGIN_STATUS",
              "SOURCE_IP"]
TYPE_CODES = {"Remote Access 2.0": "i", "Application": "A", "SAML Sfdc Initiated SSO": "8"}
SUB_CODES = {"OAuth Client Credentials": "OauthClientCredentials", "OAuth Refresh Token": "OauthRefreshToken",
             "OAuth Username-Password": "OauthUsernamePassword", "UI Username-Password": "UsernamePasswordUiLogin",
             "OAuth Web Server": "OauthWebServer"}
STATUS_CODES = {"Success": "LOGIN_NO_ERROR", "Invalid Password": "LOGIN_ERROR_INVALID_PASSWORD",
                "Failed: Not approved for access": "LOGIN_OAUTH_API_DISABLED"}
elf_logins, logouts, api_rows, rest_rows, usage_rows = [], [], [], [], []
for n, r in enumerate(day_rows):
    oauth = r["type"] == "Remote Access 2.0"
    r["login_key"] = base64.b64encode(R.randbytes(12)).decode()[:16]
    elf_logins.append({
        "EVENT_TYPE": "Login", "TIMESTAMP": elf_ts(r["t"]), "REQUEST_ID": f"4ZtQ{n:06d}Acme", "ORGANIZATION_ID": ORG15,
        "USER_ID": r["user"][1][:15], "RUN_TIME": str(R.randint(40, 400)), "CPU_TIME": str(R.randint(5, 60)),
        "URI": "/services/oauth2/token" if oauth else "/saml/authn-request.jsp" if "SAML" in r["type"] else "/index.jsp",
        "LOGIN_KEY": r["login_key"], "USER_TYPE": "Standard", "REQUEST_STATUS": "" , "DB_TOTAL_TIME": str(R.randint(1000000, 9000000)),
        "LOGIN_TYPE": TYPE_CODES[r["type"]], "BROWSER_TYPE": r["browser"], "API_TYPE": "", "API_VERSION": "9998.0",
        "USER_NAME": r["user"][0], "TLS_PROTOCOL": "TLSv1.2", "CIPHER_SUITE": "ECDHE-RSA-AES256-GCM-SHA384",
        "LOGIN_SUB_TYPE": SUB_CODES.get(r["subtype"], ""), "TIMESTAMP_DERIVED": elf_derived(r["t"]),
        "USER_ID_DERIVED": r["user"][1], "CLIENT_IP": "Salesforce.com IP" if oauth and n % 3 == 0 else r["ip"],
        "URI_ID_DERIVED": "", "LOGIN_STATUS": STATUS_CODES[r["status"]], "SOURCE_IP": r["ip"]})
    if r["status"] != "Success":
        continue
    end = r["t"] + dt.timedelta(seconds=R.randint(30, 600), milliseconds=R.randint(0, 999))
    if r["flow"] in ("jwt", "cc"):
        app_id = id18("0H45g0000ErpApp") if r["flow"] == "jwt" else id18("0H45g0000RptApp")
        for k in range(2):
            t = r["t"] + dt.timedelta(seconds=2 + k * 3, milliseconds=R.randint(0, 999))
            rest_rows.append({"EVENT_TYPE": "RestApi", "TIMESTAMP": elf_ts(t), "REQUEST_ID": f"4ZtR{n:06d}{k}",
                              "ORGANIZATION_ID": ORG15, "USER_ID": r["user"][1][:15], "METHOD": "GET",
                              "URI": "/services/data/v62.0/query", "ENTITY_NAME": "Account" if k else "Opportunity",
                              "STATUS_CODE": "200", "ROWS_PROCESSED": str(R.randint(1, 2000)),
                              "RESPONSE_SIZE": str(R.randint(500, 90000)), "USER_AGENT": "python-requests/2.32",
                              "CONNECTED_APP_ID": app_id, "LOGIN_KEY": r["login_key"], "SESSION_KEY": r["login_key"][::-1],
                              "USER_ID_DERIVED": r["user"][1], "CLIENT_IP": r["ip"], "TIMESTAMP_DERIVED": elf_derived(t)})
            usage_rows.append({"EVENT_TYPE": "ApiTotalUsage", "TIMESTAMP": elf_ts(t), "REQUEST_ID": f"4ZtU{n:06d}{k}",
                               "ORGANIZATION_ID": ORG15, "USER_ID": r["user"][1][:15], "API_FAMILY": "REST",
                               "API_VERSION": "62.0", "API_RESOURCE": "/query", "CLIENT_NAME": "", "HTTP_METHOD": "GET",
                               "CLIENT_IP": r["ip"], "COUNTS_AGAINST_API_LIMIT": "true", "CONNECTED_APP_ID": app_id,
                               "ENTITY_NAME": "Account" if k else "Opportunity", "STATUS_CODE": "200",
                               "CONNECTED_APP_NAME": r["app"], "USER_NAME": r["user"][0], "TIMESTAMP_DERIVED": elf_derived(t)})
    if r["flow"] == "password":
        t = r["t"] + dt.timedelta(seconds=4)
        api_rows.append({"EVENT_TYPE": "API", "TIMESTAMP": elf_ts(t), "REQUEST_ID": f"4ZtA{n:06d}",
                         "ORGANIZATION_ID": ORG15, "USER_ID": r["user"][1][:15], "URI": "Api",
                         "CLIENT_NAME": "DataLoaderBulkUI/62.0", "METHOD_NAME": "query", "ENTITY_NAME": "Contact",
                         "ROWS_PROCESSED": "12408", "REQUEST_STATUS": "S", "QUERY": "SELECT Id, Email, \"Name\"\nFROM Contact",
                         "LOGIN_KEY": r["login_key"], "SESSION_KEY": r["login_key"][::-1],
                         "USER_ID_DERIVED": r["user"][1], "CLIENT_IP": r["ip"], "TIMESTAMP_DERIVED": elf_derived(t)})
    logouts.append({"EVENT_TYPE": "Logout", "TIMESTAMP": elf_ts(end), "REQUEST_ID": f"4ZtL{n:06d}", "ORGANIZATION_ID": ORG15,
                    "USER_ID": r["user"][1][:15], "USER_TYPE": "Standard", "SESSION_TYPE": "O" if r["type"] == "Remote Access 2.0" else "A",
                    "SESSION_LEVEL": "STANDARD", "BROWSER_TYPE": r["browser"], "PLATFORM_TYPE": r["platform"],
                    "APP_TYPE": "2514" if r["type"] == "Remote Access 2.0" else "1000", "API_TYPE": "", "API_VERSION": "",
                    "USER_INITIATED_LOGOUT": "0", "SESSION_KEY": r["login_key"][::-1], "LOGIN_KEY": r["login_key"],
                    "TIMESTAMP_DERIVED": elf_derived(end), "USER_ID_DERIVED": r["user"][1], "CLIENT_IP": r["ip"]})

# Chatline's Event Monitoring rows, every day of both weeks (V only).
def chat_rest(t, n, k, login, uri, method, entity, rows, ip, agent, status="200"):
    return {"EVENT_TYPE": "RestApi", "TIMESTAMP": elf_ts(t), "REQUEST_ID": f"4ZtK{n:05d}{k:02d}", "ORGANIZATION_ID": ORG15,
            "USER_ID": CHAT_USER[1][:15], "RUN_TIME": str(V.randint(20, 300)), "CPU_TIME": str(V.randint(2, 40)), "URI": uri,
            "METHOD": method, "ENTITY_NAME": entity, "STATUS_CODE": status, "ROWS_PROCESSED": str(rows),
            "RESPONSE_SIZE": str(V.randint(300, 40000) + 300 * rows), "USER_AGENT": agent, "CONNECTED_APP_ID": CHAT_APP_ID,
            "LOGIN_KEY": login["login_key"], "SESSION_KEY": login["session_key"], "USER_ID_DERIVED": CHAT_USER[1],
            "CLIENT_IP": ip, "TIMESTAMP_DERIVED": elf_derived(t)}


def chat_usage(t, n, k, resource, method, entity, ip, status="200"):
    return {"EVENT_TYPE": "ApiTotalUsage", "TIMESTAMP": elf_ts(t), "REQUEST_ID": f"4ZtW{n:05d}{k:02d}", "ORGANIZATION_ID": ORG15,
            "USER_ID": CHAT_USER[1][:15], "API_FAMILY": "REST", "API_VERSION": "62.0", "API_RESOURCE": resource,
            "CLIENT_NAME": "", "HTTP_METHOD": method, "CLIENT_IP": ip, "COUNTS_AGAINST_API_LIMIT": "true",
            "CONNECTED_APP_ID": CHAT_APP_ID[:15], "ENTITY_NAME": entity, "STATUS_CODE": status,
            "CONNECTED_APP_NAME": CHAT_APP, "USER_NAME": CHAT_USER[0], "TIMESTAMP_DERIVED": elf_derived(t)}


def chat_bulk(t, n, k, login, job, state, entity, records, ip):
    return {"EVENT_TYPE": "BulkApi2", "TIMESTAMP": elf_ts(t), "REQUEST_ID": f"4ZtJ{n:05d}{k:02d}", "ORGANIZATION_ID": ORG15,
            "USER_ID": CHAT_USER[1][:15], "RUN_TIME": str(V.randint(10, 90)), "CPU_TIME": str(V.randint(2, 20)), "CLIENT_IP": ip,
            "URI": "/services/data/v62.0/jobs/query" + ("" if state == "created" else f"/{job}"),
            "SESSION_KEY": login["session_key"], "LOGIN_KEY": login["login_key"], "JOB_ID": job, "JOB_STATUS": state,
            "OPERATION_TYPE": "query", "ENTITY_TYPE": entity, "NUMBER_RECORDS_PROCESSED": "" if records is None else str(records),
            "NUMBER_RECORDS_FAILED": "" if records is None else "0", "TIMESTAMP_DERIVED": elf_derived(t), "USER_ID_DERIVED": CHAT_USER[1]}


BULK_COLS = ["EVENT_TYPE", "TIMESTAMP", "REQUEST_ID", "ORGANIZATION_ID", "USER_ID", "RUN_TIME", "CPU_TIME", "CLIENT_IP", "URI",
             "SESSION_KEY", "LOGIN_KEY", "JOB_ID", "JOB_STATUS", "OPERATION_TYPE", "ENTITY_TYPE", "NUMBER_RECORDS_PROCESSED",
             "NUMBER_RECORDS_FAILED", "TIMESTAMP_DERIVED", "USER_ID_DERIVED"]
chat = {"Login": [], "RestApi": [], "ApiTotalUsage": [], "BulkApi2": []}
chat_sessions = sorted((r for r in previous + server_logins if r.get("vendor")), key=lambda r: r["t"])
legit_session = None
for n, r in enumerate(chat_sessions):
    r["login_key"] = base64.b64encode(V.randbytes(12)).decode()[:16]
    r["session_key"] = base64.b64encode(V.randbytes(12)).decode()[:16]
    chat["Login"].append({
        "EVENT_TYPE": "Login", "TIMESTAMP": elf_ts(r["t"]), "REQUEST_ID": f"4ZtC{n:05d}Chat", "ORGANIZATION_ID": ORG15,
        "USER_ID": CHAT_USER[1][:15], "RUN_TIME": str(V.randint(40, 300)), "CPU_TIME": str(V.randint(5, 40)),
        "URI": "/services/oauth2/token", "SESSION_KEY": r["session_key"], "LOGIN_KEY": r["login_key"], "USER_TYPE": "Standard",
        "REQUEST_STATUS": "", "DB_TOTAL_TIME": str(V.randint(1000000, 9000000)), "LOGIN_TYPE": "i", "BROWSER_TYPE": r["agent"],
        "API_TYPE": "", "API_VERSION": "9998.0", "USER_NAME": CHAT_USER[0], "TLS_PROTOCOL": "TLSv1.3",
        "CIPHER_SUITE": "TLS_AES_256_GCM_SHA384", "LOGIN_SUB_TYPE": "OauthRefreshToken", "TIMESTAMP_DERIVED": elf_derived(r["t"]),
        "USER_ID_DERIVED": CHAT_USER[1], "CLIENT_IP": r["ip"], "URI_ID_DERIVED": "", "LOGIN_STATUS": "LOGIN_NO_ERROR",
        "SOURCE_IP": r["ip"]})
    if r.get("replay"):
        # Recon, then a Bulk 2.0 export of Case, deleted right after it completed.
        t, k = r["t"], 0
        for uri, entity in (("/services/data/v62.0/sobjects/", ""), ("/services/data/v62.0/limits/", ""),
                            ("/services/data/v62.0/query", "Account"), ("/services/data/v62.0/query", "Opportunity"),
                            ("/services/data/v62.0/query", "User"), ("/services/data/v62.0/sobjects/Case/describe/", "Case")):
            t += dt.timedelta(seconds=V.randint(8, 25), milliseconds=V.randint(0, 999))
            chat["RestApi"].append(chat_rest(t, n, k, r, uri, "GET", entity, 1 if entity and "query" in uri else 0, REPLAY_IP, REPLAY_AGENT))
            chat["ApiTotalUsage"].append(chat_usage(t, n, k, uri.split("v62.0", 1)[1], "GET", entity, REPLAY_IP))
            k += 1
        job = "7505g00000Q8xCaAAJ"
        created = dt.datetime(2026, 11, 18, 3, 20, 2, 114000, tzinfo=UTC)
        for at, state, records in ((created, "created", None), (created + dt.timedelta(seconds=1, milliseconds=306), "inProgress", None),
                                   (created + dt.timedelta(seconds=149, milliseconds=88), "JobComplete", 184223),
                                   (created + dt.timedelta(seconds=158, milliseconds=540), "deleted", None)):
            chat["BulkApi2"].append(chat_bulk(at, n, k, r, job, state, "Case", records, REPLAY_IP))
            chat["ApiTotalUsage"].append(chat_usage(at, n, k, "/jobs/query", "DELETE" if state == "deleted" else "POST" if state == "created" else "GET",
                                                    "Case", REPLAY_IP))
            k += 1
        # The vendor's own session of 02:03, its access token used from the same address.
        t = dt.datetime(2026, 11, 18, 3, 16, 9, 702000, tzinfo=UTC)
        for entity, rows in (("Contact", 2000), ("Contact", 2000), ("Lead", 2000)):
            t += dt.timedelta(seconds=V.randint(3, 9), milliseconds=V.randint(0, 999))
            chat["RestApi"].append(chat_rest(t, n, k, legit_session, "/services/data/v62.0/query", "GET", entity, rows, REPLAY_IP, REPLAY_AIO))
            chat["ApiTotalUsage"].append(chat_usage(t, n, k, "/query", "GET", entity, REPLAY_IP))
            k += 1
        continue
    if r["t"] < REPLAY_AT:
        legit_session = r
    # The vendor's ordinary work: read Leads, look up a Contact, update a Lead.
    t = r["t"]
    for k, (uri, method, entity, rows, status) in enumerate((
            ("/services/data/v62.0/query", "GET", "Lead", V.randint(5, 120), "200"),
            (f"/services/data/v62.0/sobjects/Contact/{sfid('003', V.randint(1, 90000))}", "GET", "Contact", 1, "200"),
            (f"/services/data/v62.0/sobjects/Lead/{sfid('00Q', V.randint(1, 90000))}", "PATCH", "Lead", 1, "204"))):
        t += dt.timedelta(seconds=V.randint(2, 40), milliseconds=V.randint(0, 999))
        chat["RestApi"].append(chat_rest(t, n, k, r, uri, method, entity, rows, r["ip"], CHAT_AGENT, status))
        chat["ApiTotalUsage"].append(chat_usage(t, n, k, "/query" if entity == "Lead" and method == "GET" else f"/sobjects/{entity}",
                                                method, entity, r["ip"], status))
    if r["t"].hour == 0:  # the nightly Lead export, at 01:30 under the 00:03 session
        created = r["t"].replace(hour=1, minute=30, second=V.randint(0, 20))
        job = sfid("750", 500000 + n)
        for k, (at, state, records) in enumerate(((created, "created", None), (created + dt.timedelta(seconds=2), "inProgress", None),
                                                  (created + dt.timedelta(seconds=V.randint(40, 90)), "JobComplete", V.randint(2000, 6000)))):
            chat["BulkApi2"].append(chat_bulk(at, n, 10 + k, r, job, state, "Lead", records, r["ip"]))
            chat["ApiTotalUsage"].append(chat_usage(at, n, 10 + k, "/jobs/query", "POST" if state == "created" else "GET", "Lead", r["ip"]))
for rows in chat.values():
    rows.sort(key=lambda x: x["TIMESTAMP"])
USAGE_COLS = ["EVENT_TYPE", "TIMESTAMP", "REQUEST_ID", "ORGANIZATION_ID", "USER_ID", "API_FAMILY", "API_VERSION",
              "API_RESOURCE", "CLIENT_NAME", "HTTP_METHOD", "CLIENT_IP", "COUNTS_AGAINST_API_LIMIT",
              "CONNECTED_APP_ID", "ENTITY_NAME", "STATUS_CODE", "CONNECTED_APP_NAME", "USER_NAME", "TIMESTAMP_DERIVED"]
REST_COLS = ["EVENT_TYPE", "TIMESTAMP", "REQUEST_ID", "ORGANIZATION_ID", "USER_ID", "RUN_TIME", "CPU_TIME", "URI",
             "METHOD", "ENTITY_NAME", "STATUS_CODE", "ROWS_PROCESSED", "RESPONSE_SIZE", "USER_AGENT",
             "CONNECTED_APP_ID", "LOGIN_KEY", "SESSION_KEY", "TIMESTAMP_DERIVED", "USER_ID_DERIVED", "CLIENT_IP"]
CHAT_COLS = {"Login": LOGIN_COLS, "RestApi": REST_COLS, "ApiTotalUsage": USAGE_COLS, "BulkApi2": BULK_COLS}
# The review's extract: Chatline's rows of the daily files Acme archives, one file per event type.
for name, rows in chat.items():
    with open(out("eventlogfiles", "chatline", f"{name}_2026-11-07_2026-11-20.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_ALL)
        w.writerow(CHAT_COLS[name])
        for row in rows:
            w.writerow([row.get(c, "") for c in CHAT_COLS[name]])
# Nov 20's daily files hold Chatline's rows of that day too (the same rows: stored once).
on_elf_day = {name: [x for x in rows if x["TIMESTAMP"].startswith("20261120")] for name, rows in chat.items()}
elf_logins = sorted(elf_logins + on_elf_day["Login"], key=lambda x: x["TIMESTAMP"])
rest_rows += on_elf_day["RestApi"]
usage_rows += on_elf_day["ApiTotalUsage"]
write_elf("BulkApi2", BULK_COLS, on_elf_day["BulkApi2"])
write_elf("Login", LOGIN_COLS, elf_logins)
write_elf("Logout", ["EVENT_TYPE", "TIMESTAMP", "REQUEST_ID", "ORGANIZATION_ID", "USER_ID", "USER_TYPE", "SESSION_TYPE",
                     "SESSION_LEVEL", "BROWSER_TYPE", "PLATFORM_TYPE", "RESOLUTION_TYPE", "APP_TYPE", "CLIENT_VERSION",
                     "API_TYPE", "API_VERSION", "USER_INITIATED_LOGOUT", "SESSION_KEY", "LOGIN_KEY", "TIMESTAMP_DERIVED",
                     "USER_ID_DERIVED", "CLIENT_IP"], sorted(logouts, key=lambda x: x["TIMESTAMP"]))
write_elf("API", ["EVENT_TYPE", "TIMESTAMP", "REQUEST_ID", "ORGANIZATION_ID", "USER_ID", "RUN_TIME", "CPU_TIME", "URI",
                  "CLIENT_NAME", "METHOD_NAME", "ENTITY_NAME", "ROWS_PROCESSED", "REQUEST_STATUS", "QUERY", "LOGIN_KEY",
                  "SESSION_KEY", "TIMESTAMP_DERIVED", "USER_ID_DERIVED", "CLIENT_IP"], api_rows)
write_elf("RestApi", REST_COLS, sorted(rest_rows, key=lambda x: x["TIMESTAMP"]))
write_elf("ApiTotalUsage", USAGE_COLS, sorted(usage_rows, key=lambda x: x["TIMESTAMP"]))
admin_t = ELF_DAY + dt.timedelta(hours=5, minutes=12, seconds=44, milliseconds=120)
write_elf("LoginAs", ["EVENT_TYPE", "TIMESTAMP", "REQUEST_ID", "ORGANIZATION_ID", "USER_ID", "RUN_TIME", "CPU_TIME", "URI",
                      "SESSION_KEY", "LOGIN_KEY", "DELEGATED_USER_NAME", "DELEGATED_USER_ID", "TIMESTAMP_DERIVED",
                      "USER_ID_DERIVED", "CLIENT_IP", "URI_ID_DERIVED", "DELEGATED_USER_ID_DERIVED"],
          [{"EVENT_TYPE": "LoginAs", "TIMESTAMP": elf_ts(admin_t), "REQUEST_ID": "4ZtS000001Acme", "ORGANIZATION_ID": ORG15,
            "USER_ID": HUMANS[12][1][:15], "RUN_TIME": "88", "CPU_TIME": "21", "URI": "/servlet/servlet.su",
            "SESSION_KEY": "Sx9q1mLrT0aBcDeF", "LOGIN_KEY": "Lk7Pq2RsT9uVwXyZ", "DELEGATED_USER_NAME": ADMIN[0],
            "DELEGATED_USER_ID": ADMIN[1][:15], "TIMESTAMP_DERIVED": elf_derived(admin_t), "USER_ID_DERIVED": HUMANS[12][1],
            "CLIENT_IP": "192.0.2.200", "URI_ID_DERIVED": "", "DELEGATED_USER_ID_DERIVED": ADMIN[1]}])

# --- B, continued: what the stolen ERP key's sessions did (Nov 19), from the API usage Acme
# pulled for the review: RestApi and ApiTotalUsage rows of the ERP app's user that night. The
# thief lists the objects, then pages through Account, Contact and Opportunity in each session
# (no session reads over 10,000 records: only together do they add up); etl-01's ordinary
# queries of the same hours run beside them, from its own address. The ELF Login rows of that
# day were not exported, so the LOGIN_KEYs join to nothing: only user + address + time tie the
# calls to the Login History rows. Its own random stream (W): the rest of the samples stay as they were.
W = random.Random(20261119)
THIEF_AGENT = "python-requests/2.31.0"
ERP_APP_ID = id18("0H45g0000ErpApp")
erp_rest, erp_usage = [], []


def erp_call(t, n, k, key, uri, entity, rows, ip, agent):
    erp_rest.append({"EVENT_TYPE": "RestApi", "TIMESTAMP": elf_ts(t), "REQUEST_ID": f"4ZtE{n:04d}{k:02d}", "ORGANIZATION_ID": ORG15,
                     "USER_ID": ERP_USER[1][:15], "RUN_TIME": str(W.randint(20, 900)), "CPU_TIME": str(W.randint(2, 90)), "URI": uri,
                     "METHOD": "GET", "ENTITY_NAME": entity, "STATUS_CODE": "200", "ROWS_PROCESSED": str(rows),
                     "RESPONSE_SIZE": str(W.randint(300, 4000) + 410 * rows), "USER_AGENT": agent, "CONNECTED_APP_ID": ERP_APP_ID,
                     "LOGIN_KEY": key, "SESSION_KEY": key[::-1], "TIMESTAMP_DERIVED": elf_derived(t), "USER_ID_DERIVED": ERP_USER[1],
                     "CLIENT_IP": ip})
    erp_usage.append({"EVENT_TYPE": "ApiTotalUsage", "TIMESTAMP": elf_ts(t), "REQUEST_ID": f"4ZtV{n:04d}{k:02d}", "ORGANIZATION_ID": ORG15,
                      "USER_ID": ERP_USER[1][:15], "API_FAMILY": "REST", "API_VERSION": "62.0", "API_RESOURCE": uri.split("v62.0", 1)[1].split("?")[0],
                      "CLIENT_NAME": "", "HTTP_METHOD": "GET", "CLIENT_IP": ip, "COUNTS_AGAINST_API_LIMIT": "true",
                      "CONNECTED_APP_ID": ERP_APP_ID[:15], "ENTITY_NAME": entity, "STATUS_CODE": "200", "CONNECTED_APP_NAME": ERP_APP,
                      "USER_NAME": ERP_USER[0], "TIMESTAMP_DERIVED": elf_derived(t)})


stolen = sorted(r["t"] for r in logins if r.get("ip") == "203.0.113.77")
for n, t in enumerate(stolen):
    key = base64.b64encode(W.randbytes(12)).decode()[:16]
    erp_call(t + dt.timedelta(seconds=3, milliseconds=W.randint(0, 999)), n, 0, key, "/services/data/v62.0/sobjects/", "", 0,
             "203.0.113.77", THIEF_AGENT)
    at = t + dt.timedelta(seconds=8)
    for k, (entity, rows) in enumerate((("Account", 2000), ("Contact", 2000), ("Contact", 1000 + 37 * n), ("Opportunity", 1500)), 1):
        at += dt.timedelta(seconds=W.randint(4, 15), milliseconds=W.randint(0, 999))
        erp_call(at, n, k, key, f"/services/data/v62.0/query?q=SELECT+FIELDS(ALL)+FROM+{entity}", entity, rows, "203.0.113.77", THIEF_AGENT)
for n, r in enumerate(x for x in server_logins if x.get("ip") == HOSTS["etl-01"] and dt.datetime(2026, 11, 19, 2, tzinfo=UTC) <= x["t"] < dt.datetime(2026, 11, 19, 4, tzinfo=UTC)):
    key = base64.b64encode(W.randbytes(12)).decode()[:16]
    for k, entity in enumerate(("Opportunity", "Account")):
        erp_call(r["t"] + dt.timedelta(seconds=2 + 3 * k, milliseconds=W.randint(0, 999)), 50 + n, k, key,
                 "/services/data/v62.0/query", entity, W.randint(1, 40), HOSTS["etl-01"], "python-requests/2.32")
for name, cols, rows in (("RestApi", REST_COLS, erp_rest), ("ApiTotalUsage", USAGE_COLS, erp_usage)):
    with open(out("eventlogfiles", "erp", f"{name}_2026-11-19.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_ALL)
        w.writerow(cols)
        for row in sorted(rows, key=lambda x: x["TIMESTAMP"]):
            w.writerow([row.get(c, "") for c in cols])

# --- Client token logs (the integrations' own JSON lines) -----------------------------------


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def fake_jwt(claims):
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    return f"{header}.{b64url(json.dumps(claims, separators=(',', ':')).encode())}.{b64url(R.randbytes(256))}"


def http_date(t):
    return t.strftime("%a, %d %b %Y %H:%M:%S GMT")


for host in ("etl-01", "etl-02"):
    with open(out("clients", f"{host}_token-requests.jsonl"), "w") as f:
        for r in logins:
            if r.get("host") != host:
                continue
            sent = r["t"] - dt.timedelta(milliseconds=R.randint(120, 380))
            if r.get("expired"):
                sent -= SKEW  # the host's clock reads 215 s behind the server's
            iat = int(sent.timestamp())
            claims = {"iss": ERP_KEY, "sub": r["user"][0], "aud": "https://login.salesforce.com", "iat": iat, "exp": iat + 180}
            line = {"ts": sent.strftime("%Y-%m-%dT%H:%M:%S.") + f"{sent.microsecond // 1000:03d}Z", "host": host,
                    "integration": "acme-erp-sync", "provider": "salesforce",
                    "token_url": "https://login.salesforce.com/services/oauth2/token",
                    "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "client_id": ERP_KEY}
            # Some library versions log the raw assertion instead of its claims (decoded, never stored).
            if R.random() < 0.1:
                line["assertion"] = fake_jwt(claims)
            else:
                line["claims"] = claims
            if r.get("expired"):
                line.update({"http_status": 400, "error": "invalid_grant", "error_description": "expired authorization code",
                             "server_date": http_date(r["t"]), "duration_ms": R.randint(60, 120), "source_ip": HOSTS[host]})
            else:
                line.update({"http_status": 200, "server_date": http_date(r["t"]), "duration_ms": R.randint(120, 400),
                             "instance_url": MY_DOMAIN, "id": f"https://login.salesforce.com/id/{ORG}/{r['user'][1]}",
                             "source_ip": HOSTS[host]})
            if R.random() < 0.05 and not r.get("expired"):
                line["access_token"] = f"{ORG}!AQ0AQ{b64url(R.randbytes(60))}"
            f.write(json.dumps(line, separators=(",", ":")) + "\n")

# D. A new job on etl-01 asks for qa-bot, a user not pre-authorized for the app.
with open(out("clients", "etl-01_token-requests.jsonl"), "a") as f:
    for k in range(3):
        sent = dt.datetime(2026, 11, 17, 14, 30 + k, 5, 310000, tzinfo=UTC)
        iat = int(sent.timestamp())
        f.write(json.dumps({"ts": sent.strftime("%Y-%m-%dT%H:%M:%S.310Z"), "host": "etl-01", "integration": "acme-qa-job",
                            "provider": "salesforce", "token_url": "https://login.salesforce.com/services/oauth2/token",
                            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "client_id": ERP_KEY,
                            "claims": {"iss": ERP_KEY, "sub": "qa-bot@acme.example", "aud": "https://login.salesforce.com",
                                       "iat": iat, "exp": iat + 180},
                            "http_status": 400, "error": "invalid_grant", "error_description": "user hasn't approved this consumer",
                            "server_date": http_date(sent + dt.timedelta(milliseconds=300)), "duration_ms": 95,
                            "source_ip": HOSTS["etl-01"]}, separators=(",", ":")) + "\n")

# E. etl-03 is deployed with the wrong private key and retries in a tight loop.
with open(out("clients", "etl-03_token-requests.jsonl"), "w") as f:
    for k in range(30):
        sent = dt.datetime(2026, 11, 20, 8, 0, 0, tzinfo=UTC) + dt.timedelta(seconds=10 * k, milliseconds=R.randint(0, 999))
        iat = int(sent.timestamp())
        f.write(json.dumps({"ts": sent.strftime("%Y-%m-%dT%H:%M:%S.") + f"{sent.microsecond // 1000:03d}Z", "host": "etl-03",
                            "integration": "acme-erp-sync", "provider": "salesforce",
                            "token_url": "https://login.salesforce.com/services/oauth2/token",
                            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "client_id": ERP_KEY,
                            "claims": {"iss": ERP_KEY, "sub": ERP_USER[0], "aud": "https://login.salesforce.com", "iat": iat, "exp": iat + 180},
                            "http_status": 400, "error": "invalid_grant", "error_description": "invalid assertion",
                            "server_date": http_date(sent), "duration_ms": 70, "source_ip": "198.51.100.31"},
                           separators=(",", ":")) + "\n")

with open(out("clients", "rpt-01_token-requests.jsonl"), "w") as f:
    for r in logins:
        if r.get("host") != "rpt-01":
            continue
        sent = r["t"] - dt.timedelta(milliseconds=R.randint(150, 400))
        line = {"time": int(sent.timestamp() * 1000), "host": "rpt-01", "integration": "acme-reporting",
                "token_url": f"{MY_DOMAIN}/services/oauth2/token", "grant_type": "client_credentials",
                "client_id": RPT_KEY, "http_status": 200, "server_date": http_date(r["t"]),
                "issued_at": str(int(r["t"].timestamp() * 1000)), "instance_url": MY_DOMAIN,
                "id": f"https://login.salesforce.com/id/{ORG}/{RPT_USER[1]}", "signature": b64url(R.randbytes(32)),
                "duration_ms": R.randint(150, 420), "source_ip": HOSTS["rpt-01"]}
        if r["t"].hour == 3:  # a debug build that logged the secret: only its fingerprint may survive
            line["client_secret"] = "F3A9C0DE1B2A4C6E8F0A1B2C3D4E5F60718293A4B5C6D7E8F9A0B1C2D3E4F5A6"
        f.write(json.dumps(line, separators=(",", ":")) + "\n")

# The Okta user-sync job calls Okta's API with an API token; one deploy sent "Bearer".
with open(out("clients", "okta-sync_requests.jsonl"), "w") as f:
    for day in range(7):
        for hour in (1, 7, 13, 19):
            t = THIS_WEEK + dt.timedelta(days=day, hours=hour, minutes=2, seconds=R.randint(0, 59))
            bad = day == 4 and hour == 13
            line = {"ts": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "host": "sync-01", "integration": "okta-user-sync",
                    "provider": "okta", "token_url": "https://acme.okta.com/api/v1/users",
                    "auth_scheme": "Bearer" if bad else "SSWS", "http_status": 403 if bad else 200,
                    "duration_ms": R.randint(80, 300)}
            if bad:
                line.update({"errorCode": "E0000005", "errorSummary": "Invalid session",
                             "errorLink": "E0000005", "errorId": "oaeXyZ123AbCdEfGhIjKlMn", "errorCauses": []})
            f.write(json.dumps(line, separators=(",", ":")) + "\n")

# --- Okta System Log ------------------------------------------------------------------------


def okta_event(t, event_type, actor, outcome, ip, grant=None, reason=None, message="", session=None, agent=None, rng=R):
    return {
        "uuid": f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-11ef-{rng.getrandbits(16):04x}-{rng.getrandbits(48):012x}",
        "published": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z",
        "eventType": event_type, "version": "0", "severity": "INFO" if outcome == "SUCCESS" else "WARN",
        "displayMessage": message, "legacyEventType": None,
        "actor": actor, "client": {"ipAddress": ip, "userAgent": {"rawUserAgent": agent or ("Mozilla/5.0 (Macintosh) Chrome/131.0"
                                                                   if actor["type"] == "User" else "okhttp/4.12.0")},
                                   "geographicalContext": {"country": "Japan" if ip.startswith("192.0.2") else "United States"}},
        "outcome": {"result": outcome, "reason": reason},
        "transaction": {"type": "WEB", "id": b64url(rng.randbytes(12)), "detail": {}},
        "debugContext": {"debugData": {"requestUri": "/oauth2/aus1acme/v1/token" if grant else "/app/salesforce/sso/saml",
                                       **({"grantType": grant} if grant else {})}},
        "authenticationContext": {"authenticationStep": 0, "externalSessionId": session or b64url(rng.randbytes(9))},
        "securityContext": {}, "target": [{"id": "0oa1salesforce", "type": "AppInstance", "alternateId": "Salesforce",
                                           "displayName": "Salesforce"}],
        "request": {"ipChain": [{"ip": ip}]},
    }


def okta_day(day):
    events = []
    d0 = THIS_WEEK + dt.timedelta(days=day)
    for i, user in enumerate(HUMANS[:12]):
        t = d0 + dt.timedelta(hours=R.randint(0, 8), minutes=R.randint(0, 59), seconds=R.randint(0, 59))
        actor = {"id": f"00u{i:04d}acme", "type": "User", "alternateId": user[0], "displayName": user[0].split("@")[0]}
        ip = f"192.0.2.{10 + i}"
        start = okta_event(t, "user.session.start", actor, "SUCCESS", ip, message="User login to Okta")
        events.append(start)
        # The SSO into Salesforce happens in the session the sign-in opened.
        events.append(okta_event(t + dt.timedelta(seconds=5), "user.authentication.sso", actor, "SUCCESS", ip,
                                 message="User single sign on to app", session=start["authenticationContext"]["externalSessionId"]))
    service = {"id": "0oa9svc0acme", "type": "PublicClientApp", "alternateId": "acme-data-pipeline",
               "displayName": "Acme Data Pipeline"}
    for hour in range(0, 24, 4):
        t = d0 + dt.timedelta(hours=hour, minutes=11, seconds=R.randint(0, 59), milliseconds=R.randint(0, 999))
        events.append(okta_event(t, "app.oauth2.as.token.grant.access_token", service, "SUCCESS", "203.0.113.40",
                                 grant="client_credentials", message="OAuth2 access token is granted"))
    if day == 5:
        t = d0 + dt.timedelta(hours=9, minutes=30, seconds=12)
        events.append(okta_event(t, "app.oauth2.as.token.grant", service, "FAILURE", "203.0.113.40",
                                 grant="client_credentials", reason="no_matching_scope",
                                 message="OAuth2 access token request failed"))
    events.sort(key=lambda e: e["published"])
    return events


with open(out("okta", "system-log_2026-11-19.json"), "w") as f:
    json.dump(okta_day(5), f, indent=2, ensure_ascii=False)  # the /api/v1/logs array, as saved from the API
    f.write("\n")
# G. Nov 20: emma.brown's Okta session cookie (from a HAR file she shared with a support
#    vendor) is replayed from a hosting address with another browser, 52 minutes after she
#    signed in: a policy evaluation and an SSO into Salesforce, and no new sign-in.
nov20 = okta_day(6)
emma = next(e for e in nov20 if e["eventType"] == "user.session.start" and e["actor"]["alternateId"] == HUMANS[4][0])
stolen = emma["authenticationContext"]["externalSessionId"]
at = dt.datetime.fromisoformat(emma["published"].replace("Z", "+00:00")) + dt.timedelta(minutes=52, seconds=17)
thief = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
for k, (event_type, message) in enumerate((("policy.evaluate_sign_on", "Evaluation of sign-on policy"),
                                           ("user.authentication.sso", "User single sign on to app"))):
    nov20.append(okta_event(at + dt.timedelta(seconds=4 * k), event_type, emma["actor"], "SUCCESS", "203.0.113.201",
                            message=message, session=stolen, agent=thief, rng=V))
nov20.sort(key=lambda e: e["published"])
with open(out("okta", "system-log_2026-11-20.jsonl"), "w") as f:
    for event in nov20:
        f.write(json.dumps(event, separators=(",", ":"), ensure_ascii=False) + "\n")

# --- The policy ----------------------------------------------------------------------------

policy = {
    "version": 1,
    "timezone": "Asia/Tokyo",
    "clockSkewToleranceSeconds": 30,
    "maxAssertionLifetimeSeconds": 180,
    "matchWindowSeconds": 120,
    "apps": [
        {"name": ERP_APP, "clientIds": [ERP_KEY], "flows": ["jwt_bearer"], "subjects": [ERP_USER[0]],
         "audience": "https://login.salesforce.com", "sourceCidrs": ["198.51.100.0/24"]},
        {"name": RPT_APP, "clientIds": [RPT_KEY], "flows": ["client_credentials"], "runAsUser": RPT_USER[0],
         "sourceCidrs": ["203.0.113.0/24"]},
        {"name": "Salesforce for iOS", "flows": ["refresh_token", "user_agent"]},
        {"name": 'Acme "Ops" Console, EU', "flows": ["web_server"]},
        {"name": "Dataloader Partner", "flows": ["username_password"]},
        {"name": CHAT_APP, "flows": ["refresh_token"], "integration": True, "appIds": [CHAT_APP_ID],
         "sourceCidrs": ["2001:db8:c4a7::/48"]},
    ],
    "rules": {"failure-burst": {"threshold": 10, "windowSeconds": 600}},
}
with open(out("policy.json"), "w") as f:
    json.dump(policy, f, indent=2)
    f.write("\n")

print(f"login history (API): {len(server_logins)} rows; expired on etl-02: {sum(1 for r in logins if r.get('expired'))}; setup ja: {len(ja_rows)}; setup en: {len(en_rows)}; "
      f"overlap: {len([r for r in previous if in_jst_days(r, 9, 10)])}; elf logins: {len(elf_logins)}")
