"""The encrypting payload codec (core/payload_codec.py): AES-GCM with the key id in the metadata, rotation (any
configured key opens, the current one seals), and a workflow run through it whose stored history holds no plain
text (time-skipping test server)."""

from __future__ import annotations

import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel
from temporalio import activity, workflow
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from core.payload_codec import ENCODING, KEY_ID, EncryptionCodec, key_id, with_encryption
from core.settings import Settings

OLD = "old-payload-key-0123456789abcdef0123456789"
NEW = "new-payload-key-0123456789abcdef0123456789"
SECRET = "機密: 職員 山田太郎 の懲戒処分 1,234,567円"


def plain(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=text.encode())


async def test_a_payload_is_sealed_with_the_current_key_and_opens_again() -> None:
    codec = EncryptionCodec([NEW, OLD])
    (sealed,) = await codec.encode([plain(f'"{SECRET}"')])
    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata[KEY_ID].decode() == key_id(NEW) == codec.current_key_id
    assert SECRET.encode() not in sealed.data and "山田".encode() not in sealed.data
    assert NEW.encode() not in sealed.SerializeToString()  # the id is a fingerprint, not the key
    assert await codec.decode([sealed]) == [plain(f'"{SECRET}"')]


async def test_rotation_old_payloads_open_new_ones_seal_with_the_new_key() -> None:
    (before,) = await EncryptionCodec([OLD]).encode([plain("1")])
    rotated = EncryptionCodec([NEW, OLD])
    assert await rotated.decode([before]) == [plain("1")]
    (after,) = await rotated.encode([plain("1")])
    assert after.metadata[KEY_ID].decode() == key_id(NEW)
    with pytest.raises(ValueError, match="unknown key id"):
        await EncryptionCodec([OLD]).decode([after])


async def test_a_tampered_payload_is_refused() -> None:
    codec = EncryptionCodec([NEW])
    (sealed,) = await codec.encode([plain("1")])
    forged = Payload(metadata=dict(sealed.metadata), data=sealed.data[:-1] + bytes([sealed.data[-1] ^ 1]))
    with pytest.raises(Exception, match=r".*"):
        await codec.decode([forged])


async def test_plain_payloads_of_before_pass_through() -> None:
    assert await EncryptionCodec([NEW]).decode([plain("2")]) == [plain("2")]


def test_off_without_a_key_and_the_settings_list_the_current_key_first() -> None:
    assert with_encryption(pydantic_data_converter, Settings().temporal_payload_keys()) is pydantic_data_converter
    settings = Settings(temporal_payload_key=NEW, temporal_payload_previous_keys=OLD)
    assert settings.temporal_payload_keys() == (NEW, OLD)
    assert NEW not in repr(settings)
    assert Settings(temporal_payload_previous_keys=OLD).temporal_payload_keys() == ()
    assert any("RINGI_TEMPORAL_PAYLOAD_KEY" in p for p in Settings(temporal_payload_key="short").production_problems())


class Memo(BaseModel):
    comment: str
    amount: int


@activity.defn
async def echo(memo: Memo) -> Memo:
    return Memo(comment=memo.comment + "（確認済）", amount=memo.amount)


@workflow.defn(sandboxed=False)
class SealedWorkflow:
    @workflow.run
    async def run(self, memo: Memo) -> Memo:
        await workflow.sleep(timedelta(days=3))  # time-skipped
        return await workflow.execute_activity(echo, memo, start_to_close_timeout=timedelta(seconds=30))


async def test_a_workflow_runs_through_the_codec_and_its_history_holds_no_plain_text() -> None:
    server = Path(sys.executable).parent / "temporal-test-server"
    converter = with_encryption(pydantic_data_converter, (NEW, OLD))
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(server), data_converter=converter)
    try:
        queue = f"sealed-{uuid.uuid4().hex[:8]}"
        async with Worker(
            env.client,
            task_queue=queue,
            workflows=[SealedWorkflow],
            activities=[echo],
            workflow_runner=UnsandboxedWorkflowRunner(),
        ):
            handle = await env.client.start_workflow(
                SealedWorkflow.run, Memo(comment=SECRET, amount=1234567), id=f"sealed-{queue}", task_queue=queue
            )
            result = await handle.result()
        assert result == Memo(comment=SECRET + "（確認済）", amount=1234567)
        events = (await handle.fetch_history()).events
        stored = b"".join(event.SerializeToString() for event in events)  # payload bytes as Temporal keeps them
        assert len(events) > 5
        for clear in ("山田太郎", "懲戒", "1234567", "確認済", "comment"):
            assert clear.encode() not in stored, clear
        started = events[0].workflow_execution_started_event_attributes.input.payloads[0]
        assert started.metadata["encoding"] == ENCODING
        assert started.metadata[KEY_ID].decode() == key_id(NEW)
    finally:
        await env.shutdown()
