// Hardhat 2's `hardhat node` needs a project; the bench runs it with the defaults
// (20 funded "test test ... junk" accounts, automine).
module.exports = { solidity: "0.8.28" };
