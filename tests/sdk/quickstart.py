"""GigLedger quickstart: a client pays a freelancer through the escrow, and both gain reputation.

Start a throwaway chain first (`gigledger-node start --dev`, which deploys the contracts
and writes deployment.json into its data directory), then point GIGLEDGER_RPC and
GIGLEDGER_DEPLOYMENT at it.
"""

import os
from datetime import timedelta

from eth_account import Account

from gigledger import GigLedger

rpc = os.environ.get("GIGLEDGER_RPC", "http://127.0.0.1:8545")
manifest = os.environ.get("GIGLEDGER_DEPLOYMENT", "deployment.json")

# Dev accounts the --dev chain prefunds; on a real chain, load a keystore instead.
Account.enable_unaudited_hdwallet_features()
dev = "test test test test test test test test test test test junk"
alice, bob, carol = (Account.from_mnemonic(dev, account_path=f"m/44'/60'/0'/0/{i}") for i in (1, 2, 3))

client = GigLedger.connect(rpc, account=alice, deployment=manifest)
freelancer = GigLedger.connect(rpc, account=bob, deployment=manifest)

# Alice escrows 0.1 ETH for Bob; Carol would arbitrate a dispute.
gig = client.create_gig(
    10**17, freelancer=bob.address, arbiter=carol.address, deadline=timedelta(days=7), skills=["python"]
).gig
freelancer.accept(gig.gig_id)
freelancer.deliver(gig.gig_id)
client.approve(gig.gig_id)  # Bob is paid

# Each party attests about the other, once per settled gig.
client.attest(gig.gig_id, score=5, skill="python")
freelancer.attest(gig.gig_id, score=4)

reputation = client.reputation(bob.address)
print(f"gig {gig.gig_id} settled; {bob.address} has completed {reputation.record.completed} gig(s),")
print(f"average score {reputation.average_score}, on time {reputation.on_time_rate:.0%}")
