package dev.oauthgw.sandbox.archfixture;

/** Stands for any sandbox class in ArchitectureRulesBiteTest. */
public class FakePax8Part {
}
