ALTER TABLE "effects" ADD COLUMN "claim_token" uuid;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "claim_token" uuid;