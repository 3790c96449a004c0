"""The faust app: one agent over booking-events, a changelog-backed hold table, dead letters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import faust
from cassandra.cluster import Session
from faust.transport.consumer import Consumer
from faust.types import ConsumerT

from analytics import store
from analytics.processor import Processor
from analytics.report import Row
from analytics.rewind import seek_also_uncommitted
from infra.cassandra import Statements
from infra.kafka import topics_for
from infra.kafka_auth import faust_credentials
from infra.logs import get_logger
from infra.settings import Settings
from topics.codec import Undecodable, decode_booking_event, encode
from topics.dead_letters import DeadLetterV1
from topics.names import BOOKING_EVENTS

log = get_logger("analytics")


class AnalyticsApp(faust.App):
    """faust's app, whose consumer also seeks the source partitions without a committed offset
    when a recovery ends (analytics/rewind.py says why)."""

    source_topic = ""
    analytics_processor: Processor | None = None

    def _new_consumer(self) -> ConsumerT:
        # The transport's consumer: ConsumerT, the interface, does not declare seek_to_committed.
        consumer = cast(Consumer, super()._new_consumer())
        # faust has no hook at this point: wrap the consumer's own perform_seek.
        consumer.perform_seek = seek_also_uncommitted(  # type: ignore[method-assign]
            consumer, self.source_topic, consumer.perform_seek
        )
        return consumer


def create_app(settings: Settings, session: Session) -> faust.App:
    """The analytics app for `settings`; ids and topics derive from the topic prefix."""
    topics = topics_for(settings)
    q = Statements(session)
    app = AnalyticsApp(
        topics.analytics_app,
        broker=f"kafka://{settings.kafka_bootstrap_servers}",
        broker_credentials=faust_credentials(settings, "analytics"),
        store="memory://",
        topic_partitions=BOOKING_EVENTS.partitions,
        topic_replication_factor=settings.kafka_replication_factor,
        topic_allow_declare=True,
        web_enabled=False,
        consumer_auto_offset_reset="earliest",
        stream_wait_empty=False,
        producer_linger_ms=1,
        producer_acks=-1,  # all in-sync replicas
        broker_session_timeout=settings.worker_session_timeout_ms / 1000,
    )
    app.source_topic = topics.booking_events
    source = app.topic(
        topics.booking_events, key_serializer="raw", value_serializer="raw", internal=False
    )
    dead_letters = app.topic(topics.dead_letters, key_serializer="raw", value_serializer="raw")
    holds = app.Table(
        "holds",
        partitions=BOOKING_EVENTS.partitions,
        schema=faust.Schema(key_serializer="json", value_serializer="json"),
    )

    async def sink(event_id: str, rows: list[Row]) -> None:
        await store.write_rows(q, event_id, rows)

    async def capacity(event_id: str) -> int:
        event = await store.event_row(q, event_id)
        return await store.capacity(q, event) if event else 0

    processor = Processor(holds, sink, capacity)
    app.analytics_processor = processor

    @app.agent(source)
    async def booking_events(stream: Any) -> None:
        async for event in stream.events():
            record = event.message
            try:
                message = decode_booking_event(record.key, record.value)
            except Undecodable as exc:
                log.warning("dead-lettered", reason=exc.reason, offset=record.offset)
                letter = _dead_letter(exc, record, topics.analytics_app)
                await dead_letters.send(key=record.key, value=encode(letter))
                continue
            await processor.handle(message)

    # mode's SignalHandlerT accepts no function at all under mypy (not even its own example).
    @app.on_partitions_revoked.connect  # type: ignore[arg-type]
    async def revoked(sender: Any, revoked: Any, **_: Any) -> None:
        processor.forget()

    @app.timer(interval=5.0)  # type: ignore[untyped-decorator]  # faust: returns bare Callable
    async def heal() -> None:
        """Materialise events restored from the changelog that no message has touched yet."""
        if app.in_recovery or app.rebalancing:
            return
        for event_id in processor.events_known() - processor.tallies.keys():
            await processor.materialise(event_id, None, 0.0)

    return app


def _dead_letter(exc: Undecodable, record: Any, app_id: str) -> DeadLetterV1:
    return DeadLetterV1(
        reason=exc.reason,
        detail=exc.detail[:2000],
        source_topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key.decode(errors="replace") if record.key is not None else None,
        value=(record.value or b"")[:4096].decode(errors="replace"),
        consumer=app_id,
        failed_at=datetime.now(UTC),
    )
