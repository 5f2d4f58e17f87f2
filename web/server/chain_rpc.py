"""A read-only Ethereum JSON-RPC view of the embedded chain, at /chain/rpc.

So that a resident can check anchors while the server runs (`gongzhi verify … --rpc
http://server/chain/rpc`), with the same standard client (web3) they would point at a real
node. It answers only what reading anchors needs; it can never send a transaction. With
`CHAIN_RPC_URL` set there is a real node to ask instead, and this endpoint says so.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from contracts.embedded import EmbeddedChain
from contracts.errors import ChainError
from web.server.bounds import MAX_INT
from web.server.deps import ServicesDep
from web.server.error_responses import errors

router = APIRouter()
MAX_BATCH = 20
_QUANTITY = re.compile(r"0x[0-9a-fA-F]{1,64}")  # too large for us: "out of range"


class RpcFault(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _hex(value: int | bytes) -> str:
    return hex(value) if isinstance(value, int) else "0x" + value.hex()


def _bytes(value: object, what: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise RpcFault(-32602, f"{what} must be 0x-prefixed hex")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise RpcFault(-32602, f"{what} is not hex") from None


def _block(value: object, chain: EmbeddedChain) -> int:
    if value in (None, "latest", "safe", "finalized", "pending"):
        return chain.block_number
    if value == "earliest":
        return 0
    # A QUANTITY is hex without leading zeros ("0x0", "0x1a"): odd lengths are normal.
    if not isinstance(value, str) or _QUANTITY.fullmatch(value) is None:
        raise RpcFault(-32602, "block number must be a 0x-prefixed hex quantity")
    number = int(value[2:], 16)
    if number > MAX_INT:  # would overflow the chain database's integer: answer, not a 500
        raise RpcFault(-32602, "block number out of range")
    return number


def _params(request: dict[str, Any]) -> list[Any]:
    params = request.get("params", [])
    if not isinstance(params, list):
        raise RpcFault(-32602, "params must be an array")
    return params


def _dispatch(chain: EmbeddedChain, request: dict[str, Any]) -> Any:
    method, params = request.get("method"), _params(request)
    if method == "eth_chainId":
        return _hex(chain.chain_id)
    if method == "net_version":
        return str(chain.chain_id)
    if method == "eth_blockNumber":
        return _hex(chain.block_number)
    if method == "eth_getCode":
        return _hex(chain.code_at(str(params[0])))
    if method == "eth_call":
        call = params[0] if params and isinstance(params[0], dict) else {}
        data = call.get("data", call.get("input", "0x"))
        return _hex(chain.call_raw(str(call.get("to")), _bytes(data, "data")))
    if method == "eth_getBlockByNumber":
        if _block(params[0] if params else None, chain) != 0:
            raise RpcFault(-32601, "only the genesis block is served here")
        return {"number": "0x0", "hash": _hex(chain.genesis_hash), "transactions": []}
    if method == "eth_getLogs":
        return _logs(chain, params[0] if params and isinstance(params[0], dict) else {})
    raise RpcFault(-32601, f"method {method!r} is not served by this read-only endpoint")


def _addresses(value: object) -> list[str]:
    # JSON-RPC allows one address or a list of them; web3 always sends a list.
    listed = value if isinstance(value, list) else [value]
    if not listed or len(listed) > MAX_BATCH or not all(isinstance(a, str) for a in listed):
        raise RpcFault(-32602, f"eth_getLogs needs a contract address (1 to {MAX_BATCH})")
    return [str(a) for a in dict.fromkeys(listed)]


def _logs(chain: EmbeddedChain, query: dict[str, Any]) -> list[dict[str, Any]]:
    addresses = _addresses(query.get("address"))
    topics = [None if t is None else _bytes(t, "topic") for t in query.get("topics", [])]
    first = _block(query.get("fromBlock", "earliest"), chain)
    last = _block(query.get("toBlock", "latest"), chain)
    return [
        {
            "address": entry.address,
            "topics": [_hex(t) for t in entry.topics],
            "data": _hex(entry.data),
            "blockNumber": _hex(entry.block_number),
            "blockHash": _hex(bytes(32)),  # blocks are not served; the number identifies it
            "transactionHash": _hex(entry.tx_hash),
            "transactionIndex": "0x0",  # one transaction per block on the embedded chain
            "logIndex": _hex(entry.log_index),
            "removed": False,
        }
        for entry in sorted(
            (e for address in addresses for e in chain.logs(address, topics, first)),
            key=lambda e: (e.block_number, e.log_index),
        )
        if entry.block_number <= last
    ]


def _answer(chain: EmbeddedChain, request: Any) -> dict[str, Any]:
    rid = request.get("id") if isinstance(request, dict) else None
    try:
        if not isinstance(request, dict):
            raise RpcFault(-32600, "invalid request")
        return {"jsonrpc": "2.0", "id": rid, "result": _dispatch(chain, request)}
    except RpcFault as fault:
        error = {"code": fault.code, "message": fault.message}
    except (ChainError, IndexError, ValueError) as exc:
        error = {"code": -32000, "message": str(exc)}
    return {"jsonrpc": "2.0", "id": rid, "error": error}


@router.post("/chain/rpc", responses=errors())
def rpc(services: ServicesDep, body: Annotated[Any, Body()]) -> JSONResponse:
    chain = services.chain
    if not isinstance(chain, EmbeddedChain):
        return JSONResponse(
            {
                "jsonrpc": "2.0",
                "id": None,
                "error": {
                    "code": -32601,
                    "message": (
                        "本服务器使用外部区块链节点，请直接查询该节点 / this server anchors on an "
                        "external chain: ask that node directly"
                    ),
                },
            },
        )
    if isinstance(body, list):
        return JSONResponse([_answer(chain, r) for r in body[:MAX_BATCH]])
    return JSONResponse(_answer(chain, body))
