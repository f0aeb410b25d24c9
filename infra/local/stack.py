"""Start, run and stop the whole local stack: moto child, resources, app, pumps, scheduler."""

from __future__ import annotations

import importlib
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from chalice.app import Chalice, DynamoDBEventConfig, ScheduledEventConfig, SNSEventConfig
from chalice.config import Config
from chalice.local import LambdaContext, LocalDevServer

from infra.local import cost_meter, preflight
from infra.local.aws_process import AwsProcess
from infra.local.checkpoints import CheckpointStore
from infra.local.config import PROJECT_DIR, REAL_AWS_VARIABLES, STAGE, StackConfig
from infra.local.http_server import create_server
from infra.local.local_api import LocalApi
from infra.local.pump import PumpSettings, StreamPump, StreamSource
from infra.local.resources import AwsClients, ensure_all
from infra.local.scheduler import ScheduledJob, Scheduler, parse_schedule
from infra.local.sns_pump import SnsPump, ensure_topic_delivery
from infra.local.throttle import RequestLimits

log = logging.getLogger(__name__)


class StackError(Exception):
    """Start-up failed for a reason the message explains."""


def load_app(spec: str) -> Chalice:
    """Import `module:attribute`; the attribute is a Chalice app or a function returning one."""
    module_name, _, attribute = spec.partition(":")
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise StackError(f"cannot import the app: no module {module_name!r} "
                             f"(expected {PROJECT_DIR / (module_name + '.py')})") from None
        raise
    app = getattr(module, attribute or "app")
    if not isinstance(app, Chalice) and callable(app):
        app = app()
    if not isinstance(app, Chalice):
        raise StackError(f"{spec} is not a chalice.Chalice app")
    return app


def chalice_config() -> Config:
    """The 'local' stage of .chalice/config.json, if the project has one."""
    path = PROJECT_DIR / ".chalice" / "config.json"
    from_disk = json.loads(path.read_text()) if path.exists() else {}
    return Config(chalice_stage=STAGE, config_from_disk=from_disk,
                  user_provided_params={"project_dir": str(PROJECT_DIR)})


class Stack:
    def __init__(self, config: StackConfig, app_loader: Callable[[], Chalice] | None = None,
                 lock_wait_seconds: float = 5.0):
        self.config = config
        self._lock_wait_seconds = lock_wait_seconds
        self._load_app = app_loader or (lambda: load_app(config.app_spec))
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock_fd: int | None = None
        self.aws: AwsProcess | None = None
        self.app: Chalice | None = None
        self.pumps: list[StreamPump] = []
        self.sns_pumps: list[SnsPump] = []
        self.scheduler: Scheduler | None = None
        self.server: LocalDevServer | None = None
        self.meter: cost_meter.CostMeter | None = None  # CRM_COST_METER=PATH (bench/cost.py)

    # --- lifecycle ---------------------------------------------------------------------------

    def run(self) -> int:
        """Start, serve until SIGINT/SIGTERM, stop. Returns the exit code."""
        def request_stop(signum: int, frame: Any) -> None:
            if self._stop.is_set():  # a second Ctrl-C while stopping: give up waiting
                os._exit(130)
            self._stop.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, request_stop)
        self.start()
        print(self.banner(), flush=True)
        self._stop.wait()
        log.info("stopping...")
        self.stop()
        return 0

    def start(self) -> None:
        cfg = self.config
        # The lock first: after a crash it waits for the old moto child to be gone, and with
        # it the old child's hold on CRM_AWS_PORT.
        self._lock_fd = preflight.lock_data_dir(cfg.data_dir, self._lock_wait_seconds)
        try:
            preflight.ensure_port_free(cfg.host, cfg.port, "CRM_PORT")
            preflight.ensure_port_free(cfg.host, cfg.aws_port, "CRM_AWS_PORT")
            self._start_locked()
        except BaseException:
            self.stop()
            raise

    def _start_locked(self) -> None:
        cfg = self.config
        assert self._lock_fd is not None
        self.aws = AwsProcess(cfg.host, cfg.aws_port, cfg.data_dir, inherit_fds=(self._lock_fd,))
        ready = self.aws.start()
        log.info("moto on %s (pid %s): replayed %d journaled writes in %.2f s%s",
                 cfg.aws_endpoint, self.aws.pid, ready.replayed, ready.seconds,
                 f", {ready.rejected} REJECTED (see above)" if ready.rejected else "")

        for name in REAL_AWS_VARIABLES:
            os.environ.pop(name, None)
        os.environ.update(cfg.app_environment())
        aws = AwsClients(cfg.aws_endpoint, cfg.region)
        os.environ.update(ensure_all(aws, cfg))  # before the app import: it reads the stream ARN
        chalice_cfg = chalice_config()
        for key, value in chalice_cfg.environment_variables.items():
            os.environ.setdefault(key, value)  # the stack's own settings win
        self.app = self._load_app()
        self.meter = cost_meter.from_environment(self.app)

        self.pumps = self._build_pumps(aws, chalice_cfg)
        for pump in self.pumps:
            pump.prime()
        self.sns_pumps = self._build_sns_pumps(aws, chalice_cfg)
        self.scheduler = self._build_scheduler(chalice_cfg)
        api = LocalApi(self.scheduler, cfg.data_dir, self.status, aws_endpoint=cfg.aws_endpoint)
        try:
            limits = RequestLimits(per_ip=cfg.rate_per_ip, per_channel=cfg.rate_per_channel)
            self.server = create_server(self.app, chalice_cfg, cfg.host, cfg.port, api, limits)
        except OSError as exc:
            raise preflight.PreflightError(f"cannot listen on {cfg.app_url}: {exc}") from None

        for pump in self.pumps:
            self._spawn(f"pump-{pump.source.handler_name}", pump.run, self._stop,
                        cfg.stream_poll_seconds)
        for sns_pump in self.sns_pumps:
            self._spawn(f"sns-{sns_pump.handler_name}", sns_pump.run, self._stop,
                        cfg.stream_poll_seconds)
        self._spawn("scheduler", self.scheduler.run, self._stop)
        self._spawn("http", self.server.server.serve_forever, 0.1)

    def _spawn(self, name: str, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        """Stop taking requests, let pumps and schedules finish their batch, then stop moto."""
        self._stop.set()
        if self.server is not None:
            self.server.server.shutdown()
            self.server.server.server_close()
            self.server = None
        for thread in self._threads:
            thread.join(timeout=30)
        self._threads = []
        if self.meter is not None:
            self.meter.flush()
            self.meter.uninstall()
            self.meter = None
        if self.aws is not None:
            self.aws.stop()
            self.aws = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # the child held a copy; it is gone now
            self._lock_fd = None

    # --- wiring ----------------------------------------------------------------------------

    def _context(self, chalice_cfg: Config, handler_name: str) -> LambdaContext:
        return LambdaContext(
            function_name=self._function_name(handler_name),
            memory_size=chalice_cfg.lambda_memory_size or 128,
            max_runtime_ms=(chalice_cfg.lambda_timeout or 60) * 1000)

    def _function_name(self, handler_name: str) -> str:
        assert self.app is not None
        return f"{self.app.app_name}-{STAGE}-{handler_name}"  # chalice's naming

    def _invoker(self, chalice_cfg: Config, name: str) -> Callable[[dict[str, Any]], Any]:
        assert self.app is not None
        handler = self.app.handler_map[name]
        if self.meter is not None:
            handler = self.meter.wrap(name, handler)
        return lambda event: handler(event, self._context(chalice_cfg, name))

    def _build_pumps(self, aws: AwsClients, chalice_cfg: Config) -> list[StreamPump]:
        assert self.app is not None
        cfg = self.config
        checkpoints = CheckpointStore(cfg.data_dir)
        pumps = []
        for source in self.app.event_sources:
            if not isinstance(source, DynamoDBEventConfig):
                continue
            settings = PumpSettings(
                region=cfg.region,
                function_arn=f"arn:aws:lambda:{cfg.region}:{cfg.account_id}:function:"
                             f"{self._function_name(source.name)}",
                dlq_url=os.environ.get("CRM_STREAM_DLQ_URL"),
                max_retries=cfg.stream_max_retries)
            stream = StreamSource(
                handler_name=source.name, stream_arn=source.stream_arn,
                batch_size=source.batch_size, starting_position=source.starting_position,
                batching_window_seconds=source.maximum_batching_window_in_seconds or 0)
            pumps.append(StreamPump(stream, self._invoker(chalice_cfg, source.name),
                                    aws.client("dynamodbstreams"), aws.client("sqs"),
                                    checkpoints, settings))
        return pumps

    def _build_sns_pumps(self, aws: AwsClients, chalice_cfg: Config) -> list[SnsPump]:
        """One delivery thread per `@app.on_sns_message` function (inbound email, SMS)."""
        assert self.app is not None
        pumps = []
        for source in self.app.event_sources:
            if isinstance(source, SNSEventConfig):
                queue = ensure_topic_delivery(aws.client("sns"), aws.client("sqs"),
                                              source.topic)
                pumps.append(SnsPump(source.name, queue,
                                     self._invoker(chalice_cfg, source.name),
                                     aws.client("sqs"), os.environ.get("CRM_STREAM_DLQ_URL")))
        return pumps

    def _build_scheduler(self, chalice_cfg: Config) -> Scheduler:
        assert self.app is not None
        cfg = self.config
        now = datetime.now(UTC)
        jobs = []
        for source in self.app.event_sources:
            if not isinstance(source, ScheduledEventConfig):
                continue
            expression = source.schedule_expression
            text = expression if isinstance(expression, str) else expression.to_string()
            schedule = parse_schedule(text, anchor=now)
            jobs.append(ScheduledJob(
                name=source.name, expression=text, schedule=schedule,
                rule_arn=f"arn:aws:events:{cfg.region}:{cfg.account_id}:rule/"
                         f"{self._function_name(source.name)}",
                invoke=self._invoker(chalice_cfg, source.name),
                next_fire=schedule.next_after(now)))
        return Scheduler(jobs, cfg.region, cfg.account_id)

    # --- reporting -----------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        cfg = self.config
        return {
            "app": cfg.app_url,
            "aws_endpoint": cfg.aws_endpoint,
            "aws_pid": self.aws.pid if self.aws else None,
            "data_dir": str(cfg.data_dir),
            "region": cfg.region,
            "pumps": [pump.status() for pump in self.pumps],
            "sns_deliveries": [pump.status() for pump in self.sns_pumps],
            "schedules": self.scheduler.describe() if self.scheduler else [],
        }

    def banner(self) -> str:
        cfg = self.config
        schedules = ", ".join(self.scheduler.names) if self.scheduler else ""
        pumps = ", ".join(p.source.handler_name for p in self.pumps)
        return "\n".join([
            "",
            f"  CRM local stack is up (stage {STAGE}, region {cfg.region})",
            f"  app            {cfg.app_url}        (try {cfg.app_url}/health)",
            f"  local tools    {cfg.app_url}/_local  (outbox, schedules, status)",
            f"  AWS (moto)     {cfg.aws_endpoint}  (aws --endpoint-url {cfg.aws_endpoint} ...)",
            f"  data dir       {cfg.data_dir}",
            f"  stream pumps   {pumps or '-'}",
            f"  schedules      {schedules or '-'}",
            "  fire one now   python -m infra.local fire <name>",
            f"  reset          stop the stack, then rm -rf {cfg.data_dir}",
            "  stop           Ctrl-C",
            "",
        ])
