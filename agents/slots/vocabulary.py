"""The words Guardian's slot filler and router both read, each vocabulary defined once:
regions and clouds, resource-id shapes, AWS services and resource types, environments,
CI nouns, incident ids, action verbs, well-known ports, and words that are never names.
"""

from __future__ import annotations

import re

from agents.mood import RETRY_VERB

AWS_REGION_PREFIXES = ("us-gov", "us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx")
AWS_REGION = re.compile(r"\b(?:" + "|".join(AWS_REGION_PREFIXES) + r")-(?:north|south|east|west|central|"
                        r"northeast|southeast|northwest|southwest)-\d\b")
# a region, or a zone (us-central1-a): the GCP tools take either
GCP_REGION = re.compile(r"\b(?:us|europe|asia|australia|northamerica|southamerica|me|africa)-(?:north|south|"
                        r"east|west|central|northeast|southeast|southwest|northwest)\d(?:-[a-g])?\b")
AZURE_REGIONS = (
    "eastus", "eastus2", "westus", "westus2", "westus3", "centralus", "northcentralus", "southcentralus",
    "westcentralus", "northeurope", "westeurope", "uksouth", "ukwest", "francecentral", "germanywestcentral",
    "swedencentral", "switzerlandnorth", "norwayeast", "polandcentral", "italynorth", "eastasia",
    "southeastasia", "japaneast", "japanwest", "australiaeast", "australiasoutheast", "centralindia",
    "southindia", "koreacentral", "canadacentral", "canadaeast", "brazilsouth", "southafricanorth", "uaenorth",
)
AZURE_REGION = re.compile(r"\b(" + "|".join(sorted(AZURE_REGIONS, key=len, reverse=True)) + r")\b")
# Spelled-out Azure regions ("west europe", "east us 2").
AZURE_SPELLED = re.compile(r"\b(east|west|north|south|central|north central|south central|west central)"
                           r" (us|europe)(?: ?(2|3))?\b")
CITY_REGIONS: dict[str, str] = {
    "n. virginia": "us-east-1", "n.virginia": "us-east-1", "northern virginia": "us-east-1",
    "virginia": "us-east-1", "ohio": "us-east-2", "n. california": "us-west-1", "california": "us-west-1",
    "oregon": "us-west-2", "ireland": "eu-west-1", "dublin": "eu-west-1", "london": "eu-west-2",
    "paris": "eu-west-3", "frankfurt": "eu-central-1", "zurich": "eu-central-2", "stockholm": "eu-north-1",
    "milan": "eu-south-1", "spain": "eu-south-2", "tokyo": "ap-northeast-1", "seoul": "ap-northeast-2",
    "osaka": "ap-northeast-3", "singapore": "ap-southeast-1", "sydney": "ap-southeast-2",
    "jakarta": "ap-southeast-3", "melbourne": "ap-southeast-4", "mumbai": "ap-south-1",
    "hyderabad": "ap-south-2", "hong kong": "ap-east-1", "canada": "ca-central-1", "montreal": "ca-central-1",
    "sao paulo": "sa-east-1", "são paulo": "sa-east-1", "bahrain": "me-south-1", "uae": "me-central-1",
    "cape town": "af-south-1", "tel aviv": "il-central-1",
}
CITY_REGION = re.compile(r"\b(" + "|".join(re.escape(c) for c in sorted(CITY_REGIONS, key=len, reverse=True))
                         + r")\b")

CLOUD_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("aws", re.compile(r"\baws\b|\bamazon\b|\bec2\b|\bs3\b|\brds\b|\bguardduty\b|\bsecurity hub\b|"
                       r"\bcloudwatch\b|\bcloudtrail\b|\bdynamodb\b|\bakia[0-9a-z]{16}\b|\barn:aws")),
    ("azure", re.compile(r"\bazure\b|\bentra\b|\baks\b|\bnsgs?\b|\bdefender\b|\bstorage accounts?\b|"
                         r"\bblobs?\b|\bresource groups?\b|\bsubscription\b|\bapp insights\b")),
    # "goggle cloud", "gogle cloud": a phone's autocorrect of the name
    ("gcp", re.compile(r"\bgcp\b|\b(?:google|goggle|gogle|googel) cloud\b|\bgcs\b|\bgke\b|\bgce\b|"
                       r"\bcompute engine\b|\bcloud run\b|\bgcloud\b|"
                       # Cloud Logging's former name and its console page, still what many people say
                       r"\bstackdriver\b|\bcloud logging\b|\blogs? explorer\b|"
                       r"\bbigquery\b|\bscc\b|"
                       r"\bsecurity command center\b|\bgs://")),
)

RESOURCE_ID = re.compile(
    r"(?<![\w-])(?:(?:i|sg|vol|snap|ami|eni|subnet|vpc|igw|nat|rtb|acl|eipalloc|lt|tgw|vpce)-[0-9a-f]{4,17}"
    r"|arn:aws[\w-]*:[^\s,;]+|db-[A-Z0-9]{10,}|(?:AKIA|ASIA)[A-Z0-9]{16})(?![\w-])",
    re.IGNORECASE,
)
# A CloudWatch log group path ("/aws/lambda/billing").
LOG_GROUP = re.compile(r"(?<![\w:./])(/[a-z0-9_.-]+(?:/[a-z0-9_.#$\[\]-]+)+)", re.IGNORECASE)

AWS_SERVICES: tuple[tuple[str, str], ...] = (
    # "spend on compute": on AWS, compute is EC2 (Cost Explorer's "Amazon Elastic Compute Cloud - Compute")
    ("ec2", r"ec2(?:-other)?|elastic compute|ec2 instances?|(?<!gcp )(?<!azure )(?<!google )compute(?! engine)"),
    ("s3", r"s3"), ("rds", r"rds|aurora|(?:relational )?database service"),
    ("lambda", r"lambdas?"), ("ebs", r"ebs"), ("cloudwatch", r"cloudwatch"), ("dynamodb", r"dynamo ?db"),
    ("ecs", r"ecs|fargate"), ("eks", r"eks"), ("elb", r"elbs?|albs?|nlbs?|load balancers?"),
    ("cloudfront", r"cloudfront"), ("route53", r"route ?53"), ("sqs", r"sqs"), ("sns", r"sns"),
    ("kinesis", r"kinesis"), ("redshift", r"redshift"), ("elasticache", r"elasticache"),
    ("nat_gateway", r"nat gateways?"), ("data_transfer", r"data transfer"), ("iam", r"iam"),
    ("guardduty", r"guardduty"), ("securityhub", r"security hub"), ("ecr", r"ecr"),
)
AWS_SERVICE = [(name, re.compile(rf"\b(?:{pattern})\b")) for name, pattern in AWS_SERVICES]

RESOURCE_TYPES: tuple[tuple[str, str], ...] = (
    ("security_group", r"security groups?|sgs?|nsgs?|firewall rules?"),
    # "ebs snapshots", "volume snaps": the snapshots, not the volumes they were taken of
    ("snapshot", r"snapshots?|snaps"),
    ("elastic_ip", r"elastic ?ips?|elastic ip addresses|eips?"),
    ("volume", r"(?:volumes?|ebs|disks?)(?!\s+snap(?:shot)?s?\b)"),
    ("s3", r"buckets?|s3|gcs|blobs?|storage accounts?"),
    ("rds", r"rds|databases?|db instances?|aurora"),
    ("lambda", r"lambdas?|functions?|funcs?"),
    ("ecs_service", r"ecs(?: services?| tasks?)?|fargate(?: services?)?"),
    ("eks", r"eks(?: clusters?)?|kubernetes(?: clusters?)?|k8s(?: clusters?)?"),
    ("load_balancer", r"load ?balancers?|albs?|elbs?|nlbs?|target groups?"),
    ("ec2", r"instances?|vms?|servers?|ec2|boxe?s?|hosts?|nodes?"),
)
RESOURCE_TYPE = [(name, re.compile(rf"\b(?:{pattern})\b")) for name, pattern in RESOURCE_TYPES]

# CloudWatch metrics of an instance; "metrics" or "utilization" alone mean CPU.
METRICS: tuple[tuple[str, str], ...] = (
    ("CPUUtilization", r"cpu(?: utili[sz]ation| usage| load)?|utili[sz]ation|metrics?"),
    ("NetworkIn", r"network in(?:bound)?|inbound traffic|bytes in"),
    ("NetworkOut", r"network out(?:bound)?|outbound traffic|bytes out"),
    ("DiskReadBytes", r"disk reads?"),
    ("DiskWriteBytes", r"disk writes?"),
    ("StatusCheckFailed", r"failed status checks?|status checks? failed"),
)
METRIC = [(name, re.compile(rf"\b(?:{pattern})\b")) for name, pattern in METRICS]

ENVS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("prod", re.compile(r"\b(?:prod|production|prd)\b")),
    ("staging", re.compile(r"\b(?:staging|stage|stg)\b")),
    ("dev", re.compile(r"\b(?:dev|development)\b")),
    ("qa", re.compile(r"\bqa\b")),
    ("sandbox", re.compile(r"\bsandbox\b")),
)

# CI nouns: what a rerun, a status or a failure is about ("restart the ci job" is a rerun);
# standalone words, so a host named "billing-test-2" is not a test.
CI_WORDS = re.compile(
    r"(?<![\w-])(?:workflows?|pipelines?|builds?|ci|jobs?|actions?|deploy(?:s|ment|ments)?|release|runs?|"
    r"tests?|checks?|"
    r"pr|nightly|nightlies|\w+\.ya?ml)(?![\w-])"
)
# A CI word naming the kind of machine ("the build box", "a test server", "the ci runner vm"):
# restarting it is a machine's reboot, not a rerun.
CI_MACHINE = re.compile(r"\b(?:(?:build|ci|test|jenkins|runner)\s+)+(?:box(?:es)?|servers?|machines?|hosts?|vms?|"
                        r"nodes?|agents?|instances?)\b")
# Incident nouns: what an incident list, brief or page is about ("open sev2s", "the ledger P1").
INCIDENT_NOUN = re.compile(r"\b(?:incidents?|outages?|p[0-4]s?|sev ?-?[0-4]s?|pages?|alerts?)\b")
# A PagerDuty-style incident id: P and 5-7 capitals and digits, at least one digit.
INCIDENT_ID = re.compile(r"(?<![\w-])P(?=[A-Z0-9]*\d)[A-Z0-9]{5,7}(?![\w-])")
# The words that ask for a CI run again, whatever follows them (the slots' action and the router's rule).
RERUN_WORDS = r"re-?run|" + RETRY_VERB + r"|re-?trigger|re-?deploy"
# Other teams' words for a reboot: "cycle it", "kick the box", "kick search-1" (a machine, never
# "kick off" a build, nor "kick it" the run); and "switch it off/on", the verb's object in between.
_MACHINE_OBJECT = r"(?:(?:the|that|this) (?:box|host|server|vm|node|instance|machine|droplet)s?|" \
                  r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+)"
_OBJECT = rf"(?:it|that|this|them|those|(?:the|that|this) ones?|{_MACHINE_OBJECT})"
# "kick it (again)" after a failed deploy is the CI run's: kick takes a machine word or a host name only
_CYCLE_OR_KICK = rf"cycle(?= {_OBJECT}(?![\w-]))|kick(?= {_MACHINE_OBJECT}(?![\w-]))"
_SWITCHED = rf"switch(?:ed|ing)?(?: {_OBJECT})? "
# A phrasal verb with its object in between ("power it on", "turn the box off", "spin that one up",
# "bring it back up", "shut the vm down"): the same action as the verb's joined form.
_SPLIT = rf"(?: {_OBJECT})?(?: back)? "
ACTIONS: tuple[tuple[str, str], ...] = (
    ("rerun", RERUN_WORDS),
    ("ack", r"ack|acking|acknowledge"),
    ("resolve", r"resolve"),
    ("page", r"escalate|page(?= @| \w+)"),
    ("reboot", r"reboot|restart|bounce|power[- ]?cycle|" + _CYCLE_OR_KICK),
    ("start", rf"start|power[- ]?on|power{_SPLIT}(?:on|up)|turn{_SPLIT}on|spin{_SPLIT}up|bring{_SPLIT}up|boot|"
              + _SWITCHED + "on"),
    ("stop", rf"stop|shut ?down|shut{_SPLIT}(?:down|off)|turn{_SPLIT}off|power[- ]?off|power{_SPLIT}(?:off|down)|"
             rf"spin{_SPLIT}down|" + _SWITCHED + "off"),
    ("deallocate", r"deallocate|deallocating"),  # an Azure VM: stopped and its compute no longer billed
    ("scale", r"scale(?: out| in| up| down)?"),
    ("resize", r"resize|upsize|downsize|change (?:the )?instance type"),
)
ACTION = [(name, re.compile(rf"\b(?:{pattern})\b")) for name, pattern in ACTIONS]

KNOWN_PORTS = {20, 21, 22, 23, 25, 53, 80, 110, 135, 139, 143, 443, 445, 1433, 1521, 2049, 2375, 2376, 2379,
               3000, 3306, 3389, 5000, 5432, 5601, 5672, 5900, 5984, 6379, 6443, 7001, 8000, 8080, 8443,
               8888, 9000, 9090, 9092, 9200, 9300, 11211, 27017}
NAMED_PORTS = {"ssh": 22, "rdp": 3389, "mysql": 3306, "postgres": 5432, "postgresql": 5432, "redis": 6379,
               "mongo": 27017, "mongodb": 27017, "elasticsearch": 9200, "telnet": 23, "smb": 445,
               "mssql": 1433, "ftp": 21, "kubelet": 10250}
OPEN_CONTEXT = re.compile(r"\b(?:open\w*|expos\w*|internet|world|public\w*|ingress|inbound|firewall|"
                           r"security groups?|sgs?|nsgs?)\b|0\.0\.0\.0/0")

# Words that are never a service, person, team or resource name.
# Possessives of other languages colleagues mix in ("errores en sus logs", "os logs dele", "ihre
# Logs"): the thing already talked about, like "its", never the name of a service
# ... and their articles and prepositions ("errores en los logs", "die Logs von checkout"): no name either
FOREIGN_FUNCTION_WORDS = frozenset("""en el la los las del al con para por de do da dos das em na nas no nos le les
    des du dans avec sur pour der die das dem den des im vom von zum zur mit für fuer und y et ou mir mich dir
    uns moi nous vous""".split())
FOREIGN_POSSESSIVES = frozenset("sus seu sua seus suas dele dela deles delas ihre ihren ihrer seine seinen "
                                "seiner leur leurs".split())
GENERIC = frozenset(
    """a an the this that these those our my your their its his her any all each every some no which what who
    whose whatever whoever someone somebody anyone everyone them him it me us you i we they here there now
    today tonight yesterday tomorrow week weekend month quarter year day days hours hour minutes last next
    past this current latest recent previous new old main master aws azure gcp cloud clouds prod production
    staging stage dev qa test sandbox env region regions account accounts team teams service services svc
    api apis app apps web instance instances vm vms server servers bucket buckets database databases db
    function functions lambda cluster clusters node nodes group groups resource resources cost costs spend
    bill billing budget forecast incident incidents alert alerts page pages oncall on-call call schedule
    rotation shift security iam mfa user users key keys finding findings log logs error errors workflow
    workflows pipeline pipelines build builds job jobs run runs deploy deploys deployment release changes
    status health details info summary help it's is are was were be been on off in out up down for to from
    with without of by at about and or not please pls plz ok okay k8s kubernetes ec2 s3 rds ebs vpc sg sgs
    nsg nsgs cpu memory disk network storage data platform infra infrastructure backend frontend ci cd
    engineer engineers manager owner level primary secondary person somebody bridge call channel slack
    everything anything nothing stuff thing things box boxes host hosts gke eks aks ecs ecr tagged per
    line phone urgency priority severity urgent""".split()
) | frozenset(
    # chat shorthand for a time or a request, and contractions typed without their apostrophe
    # ("who's on call for it rn", "whos secondary"): words of the sentence, never a name
    """rn atm asap tbh fyi imo btw tmrw tmr idk thx ty nvm afaik iirc brb lmk pto eod eta tonite tonight's
    yday ytday rly pls whos whats thats hows wheres whens theres heres whose kinda sorta""".split()
)

HYPHENATED_WORDS = frozenset(
    """on-call re-run re-deploy re-trigger right-size right-sizing month-end year-end quarter-end wide-open
    allow-all follow-up in-progress real-time ec2-other multi-az cross-region non-prod pre-prod sign-in
    log-in opt-in x-ray check-in e-mail month-to-date year-to-date quarter-to-date end-of-month up-to-date
    high-cpu low-cpu previous-gen prev-gen older-gen old-gen next-gen current-gen t-shirt self-service read-only
    write-only built-in run-rate burn-rate on-demand pay-as-you-go line-item charge-back show-back cost-center
    cost-centre month-over-month week-over-week year-over-year quarter-over-quarter""".split()
)


# A clause of a request, and a machine verb in any form ("the deploy stopped at the smoke test").
_CLAUSES = re.compile(r"[,;.!?]+|\s+(?:-+|but|because|since|as)\s+")
_MACHINE_VERB = re.compile(r"\b(?:stop|start|reboot|restart|bounce|power[- ]?(?:cycle|off|on)|shut ?(?:down|off)|"
                           r"shutdown|spin (?:up|down)|terminate|deallocate|kill|resize|scale)"
                           r"(?:s|d|ed|ped|ing|ping)?\b")


def ci_object(lowered: str) -> bool:
    """Whether a machine verb's own clause names a CI run ("restart the ci job"); a CI word in
    another clause ("stop win-build-1, nobody builds on weekends", "start that one back up, the
    batch job runs tonight") is not its object, and one naming a kind of machine ("restart the
    build box") is no CI object. The router's grammar and the slots' action read it alike."""
    return any(_MACHINE_VERB.search(clause) and CI_WORDS.search(CI_MACHINE.sub(" ", clause))
               for clause in _CLAUSES.split(lowered))
